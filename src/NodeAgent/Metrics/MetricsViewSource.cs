using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Metrics;

/// <summary>Gathers a <see cref="MetricsView"/> from in-memory state for one scrape.</summary>
internal sealed class MetricsViewSource(
    GpuRuntime gpu,
    GpuSampler sampler,
    GpuHealthTracker health,
    PodAttributionRefresher attribution,
    AgentMetrics agent,
    IOptions<MetricsOptions> metrics,
    IOptions<NodeOptions> node)
{
    private readonly string _hostname = metrics.Value.Hostname ?? node.Value.Name ?? Environment.MachineName;

    public MetricsView Current() => new(
        _hostname,
        gpu.Discovery,
        sampler.Snapshot,
        health.Snapshot(),
        health.LastXid(),
        attribution.Attribution,
        agent);
}
