using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;

namespace Platform.NodeAgent.Metrics;

/// <summary>Everything one scrape renders, gathered from in-memory state only (never NVML, never the kubelet).</summary>
internal sealed record MetricsView(
    string Hostname,
    GpuDiscovery Discovery,
    GpuSnapshot Snapshot,
    IReadOnlyList<(GpuDevice Device, GpuHealthState State, string Reason)> Health,
    IReadOnlyDictionary<string, ulong> LastXid,
    IReadOnlyDictionary<string, IReadOnlyList<PodRef>> Attribution,
    AgentMetrics Agent)
{
    /// <summary>Per resource: devices found for it under the MIG strategy, and devices the strategy advertises there.</summary>
    public IReadOnlyList<(string Resource, int Found, int Advertised)> Resources { get; init; } = [];
}
