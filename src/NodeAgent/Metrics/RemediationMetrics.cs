using System.Collections.Concurrent;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// GPU remediation's counters, gauges and histograms (<c>raygpu_remediation*</c>, <c>raygpu_node_gpu_degraded</c>).
/// Written by the remediation service, read by scrapes; every change moves <see cref="AgentMetrics.Version"/>.
/// </summary>
internal sealed class RemediationMetrics(Action changed)
{
    /// <summary>Upper bounds (seconds) of the fault → drain accepted and fault → eviction histograms.</summary>
    public static readonly double[] DurationBuckets = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600];

    private long _inFlight;
    private long _degraded;

    public ConcurrentDictionary<(string Action, string Result), long> Remediations { get; } = new();

    public ConcurrentDictionary<string, long> RailTrips { get; } = new(StringComparer.Ordinal);

    public DurationHistogram Drain { get; } = new(DurationBuckets);

    public DurationHistogram Eviction { get; } = new(DurationBuckets);

    public long InFlight => Interlocked.Read(ref _inFlight);

    public bool Degraded => Interlocked.Read(ref _degraded) != 0;

    public void Count(string action, string result)
    {
        Remediations.AddOrUpdate((action, result), 1, (_, n) => n + 1);
        changed();
    }

    public void CountRailTrip(string rail)
    {
        RailTrips.AddOrUpdate(rail, 1, (_, n) => n + 1);
        changed();
    }

    public void SetInFlight(int count)
    {
        Interlocked.Exchange(ref _inFlight, count);
        changed();
    }

    public void SetDegraded(bool degraded)
    {
        Interlocked.Exchange(ref _degraded, degraded ? 1 : 0);
        changed();
    }

    public void ObserveDrain(TimeSpan sinceFault)
    {
        Drain.Observe(sinceFault);
        changed();
    }

    public void ObserveEviction(TimeSpan sinceFault)
    {
        Eviction.Observe(sinceFault);
        changed();
    }
}
