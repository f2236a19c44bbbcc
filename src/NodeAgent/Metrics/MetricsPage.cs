using System.Text;
using Platform.NodeAgent.Health;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// The <c>/metrics</c> page rendered once per change into UTF-8 bytes; scrapes write the cached bytes.
/// The page is re-rendered right after each sample (on the sampler's thread), and on the next scrape
/// after the pod attribution, the health state or an agent counter changed. Each page carries the
/// versions it was rendered from; they are read before the state itself, so a change that lands during
/// a render makes the page newer than its key and the next scrape renders again: never stale.
/// </summary>
internal sealed class MetricsPage
{
    private readonly MetricsViewSource _source;
    private readonly GpuSampler _sampler;
    private readonly PodAttributionRefresher _attribution;
    private readonly GpuHealthTracker _health;
    private readonly AgentMetrics _agent;
    private readonly Lock _renderGate = new();
    private readonly StringBuilder _text = new(16 * 1024);
    private Rendered? _page;

    public MetricsPage(MetricsViewSource source, GpuSampler sampler, PodAttributionRefresher attribution, GpuHealthTracker health, AgentMetrics agent)
    {
        _source = source;
        _sampler = sampler;
        _attribution = attribution;
        _health = health;
        _agent = agent;
        _sampler.Sampled += () => Render(CurrentKey());
    }

    /// <summary>The page for the current state: the cached bytes, or a fresh render when any input changed.</summary>
    public ReadOnlyMemory<byte> Current()
    {
        var key = CurrentKey();
        return Volatile.Read(ref _page) is { } page && page.Key.Matches(key) ? page.Bytes : Render(key);
    }

    private PageKey CurrentKey() => new(_sampler.Snapshot, _attribution.Attribution, _health.Version, _agent.Version);

    private byte[] Render(PageKey key)
    {
        lock (_renderGate)
        {
            if (Volatile.Read(ref _page) is { } page && page.Key.Matches(key))
            {
                return page.Bytes;
            }

            _text.Clear();
            MetricsWriter.Write(_text, _source.Current());
            var length = 0;
            foreach (var chunk in _text.GetChunks())
            {
                length += Encoding.UTF8.GetByteCount(chunk.Span);
            }

            var bytes = new byte[length];
            var written = 0;
            foreach (var chunk in _text.GetChunks())
            {
                written += Encoding.UTF8.GetBytes(chunk.Span, bytes.AsSpan(written));
            }

            Volatile.Write(ref _page, new Rendered(key, bytes));
            return bytes;
        }
    }

    /// <summary>Snapshot and attribution are immutable and replaced on change, so identity is their version.</summary>
    private readonly record struct PageKey(GpuSnapshot Snapshot, object Attribution, long HealthVersion, long AgentVersion)
    {
        public bool Matches(PageKey other) =>
            ReferenceEquals(Snapshot, other.Snapshot) && ReferenceEquals(Attribution, other.Attribution)
            && HealthVersion == other.HealthVersion && AgentVersion == other.AgentVersion;
    }

    private sealed record Rendered(PageKey Key, byte[] Bytes);
}
