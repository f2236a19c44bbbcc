using System.Collections.Concurrent;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// The agent's own counters (<c>raygpu_</c> metrics). Written from the device-plugin callbacks, the health
/// tracker and the sampler; read by scrapes. Lock-free.
/// </summary>
internal sealed class AgentMetrics
{
    /// <summary>Upper bounds (seconds) of the allocate latency histogram.</summary>
    public static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly DurationHistogram _latency = new(LatencyBuckets);
    private long _allocations;
    private long _allocationFailures;
    private long _registrations;
    private long _nvmlErrors;
    private long _version;

    public AgentMetrics() => Remediation = new RemediationMetrics(() => Changed(0));

    public ConcurrentDictionary<(string Reason, string To), long> HealthTransitions { get; } = new();

    /// <summary>GPU remediation's metrics, written by its service.</summary>
    public RemediationMetrics Remediation { get; }

    /// <summary>Resource name → whether it is registered with the kubelet now.</summary>
    public ConcurrentDictionary<string, bool> Registered { get; } = new(StringComparer.Ordinal);

    /// <summary>Resource name → the device list last sent to the kubelet (physical GPUs, healthy and unhealthy IDs).</summary>
    public ConcurrentDictionary<string, Advertisement> Advertised { get; } = new(StringComparer.Ordinal);

    public long Allocations => Interlocked.Read(ref _allocations);

    public long AllocationFailures => Interlocked.Read(ref _allocationFailures);

    public long Registrations => Interlocked.Read(ref _registrations);

    public long NvmlErrors => Interlocked.Read(ref _nvmlErrors);

    /// <summary>Bumped after every change of any counter: the cached <c>/metrics</c> page is stale when it moved.</summary>
    public long Version => Interlocked.Read(ref _version);

    public void CountRegistration() => Changed(Interlocked.Increment(ref _registrations));

    public void SetRegistered(string resource, bool registered)
    {
        Registered[resource] = registered;
        Changed(0);
    }

    public void SetAdvertised(string resource, Advertisement advertisement)
    {
        Advertised[resource] = advertisement;
        Changed(0);
    }

    public void CountNvmlError() => Changed(Interlocked.Increment(ref _nvmlErrors));

    /// <summary>A refused Allocate: counted, not timed (the plugin reports no duration for refusals).</summary>
    public void CountAllocationFailure() => Changed(Interlocked.Increment(ref _allocationFailures));

    public void CountHealthTransition(string reason, string to) =>
        Changed(HealthTransitions.AddOrUpdate((reason, to), 1, (_, n) => n + 1));

    public void ObserveAllocation(TimeSpan latency, bool succeeded)
    {
        Interlocked.Increment(ref succeeded ? ref _allocations : ref _allocationFailures);
        _latency.Observe(latency);
        Changed(0);
    }

    // Takes the counter's new value only so each change is one expression; the version moves after it.
    private void Changed(long _) => Interlocked.Increment(ref _version);

    /// <summary>The allocate latency histogram.</summary>
    public DurationHistogram Latency => _latency;

    /// <summary>Cumulative bucket counts (Prometheus semantics), the total count and the sum in seconds.</summary>
    public (long[] Cumulative, long Count, double SumSeconds) LatencyHistogram() => _latency.Read();
}
