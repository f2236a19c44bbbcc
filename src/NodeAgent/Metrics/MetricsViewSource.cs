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
    IOptions<NodeOptions> node,
    Gpu.Mig.MigPlan? mig = null,
    IOptions<Platform.DevicePlugin.Configuration.DevicePluginOptions>? devicePlugin = null,
    IOptions<Dra.DraOptions>? dra = null)
{
    private readonly string _hostname = metrics.Value.Hostname ?? node.Value.Name ?? Environment.MachineName;

    // In DRA mode the driver's slices offer every whole GPU discovery found (DECISIONS 9: found beside
    // advertised per mode); no device-plugin resource is served.
    private readonly IReadOnlyList<(string, int, int)> _resources = dra?.Value is { Enabled: true } draOptions
        ? [(draOptions.DriverName, gpu.Discovery.Devices.Count, gpu.Discovery.Devices.Count)]
        : mig is null
        ? []
        : [.. mig.Resources.Select(r => (r.Resource ?? devicePlugin?.Value.ResourceName ?? "nvidia.com/gpu", r.Found, r.Advertised))];

    public MetricsView Current() => new(
        _hostname,
        gpu.Discovery,
        sampler.Snapshot,
        health.Snapshot(),
        health.LastXid(),
        attribution.Attribution,
        agent)
    {
        Resources = _resources,
    };
}
