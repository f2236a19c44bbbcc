using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Diagnostics;

/// <summary>The node agent's own checks: GPU driver, health events, Kubernetes access, labels, pod attribution.</summary>
internal sealed class AgentReadiness(
    GpuRuntime gpu,
    HealthMonitor health,
    KubernetesConnection kubernetes,
    NodeLabelPublisher labels,
    PodAttributionRefresher attribution) : IReadinessContributor
{
    public IEnumerable<ReadinessCheck> Checks()
    {
        yield return gpu.InitError is null
            ? new ReadinessCheck("gpu", true, true, $"{gpu.Discovery.Source}: {gpu.Discovery.Devices.Count} GPUs")
            : new ReadinessCheck("gpu", false, true, $"no GPU driver: {gpu.InitError}");
        yield return HealthEvents();
        yield return new ReadinessCheck("kubernetes", kubernetes.Api is not null, false, kubernetes.Unavailable ?? $"connected through {kubernetes.Source}");
        yield return new ReadinessCheck("node-labels", labels.Problem is null, false, labels.Problem ?? labels.Status);
        yield return new ReadinessCheck("pod-attribution", attribution.Problem is null, false, attribution.Problem ?? "pods attributed through the pod-resources API");
    }

    /// <summary>Only claims events are watched when there is a driver and a GPU to watch.</summary>
    private ReadinessCheck HealthEvents()
    {
        if (gpu.Driver is null)
        {
            return new ReadinessCheck("health-events", false, false, "no GPU driver, so XID/ECC events are not watched");
        }

        return gpu.Discovery.Devices.Count == 0
            ? new ReadinessCheck("health-events", false, false, "the driver found no GPUs, so there are no XID/ECC events to watch")
            : new ReadinessCheck("health-events", health.EventsProblem is null, false, health.EventsProblem ?? "XID/ECC events are watched");
    }
}
