using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Platform.Webhook.Benchmarks;

/// <summary>
/// Which types a benchmark method allocates, from the runtime's own AllocationTick events (one per ~100 KB
/// allocated, naming the type of the object that crossed the mark): over a million calls the counts are a fair
/// sample of where the bytes go. <c>profile --alloc 5 Handle</c>.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs data)
    {
        if (data.EventName != "GCAllocationTick_V4" || data.Payload is null)
        {
            return;
        }

        var type = data.Payload[data.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(data.Payload[data.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
    }

    public void Reset() => _bytes.Clear();

    /// <summary>The types behind most of the sampled bytes, each with its share and bytes per call.</summary>
    public void Print(long calls, int top = 25)
    {
        var total = _bytes.Values.Sum();
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine($"  {100.0 * bytes / Math.Max(1, total),5:F1} %  {bytes / Math.Max(1, calls),6} B/call  {type}");
        }
    }
}
