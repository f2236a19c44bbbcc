namespace Platform.NodeAgent.Remediation;

/// <summary>The Kubernetes names remediation reads and writes; the chart, alert and docs use the same.</summary>
internal static class RemediationNames
{
    public const string ConditionType = "raygpu.io/GPUHealthy";

    public const string NodeAnnotation = "raygpu.io/remediating";

    /// <summary>The node's evictions of the last hour (<see cref="EvictionHistory"/>): the eviction rate rail's memory across restarts.</summary>
    public const string EvictionsAnnotation = "raygpu.io/evictions";
    public const string DegradedTaintKey = "raygpu.io/gpu-degraded";
    public const string NamespaceLabel = "raygpu.io/remediation";

    public const string RayClusterLabel = "ray.io/cluster";
    public const string RayNodeTypeLabel = "ray.io/node-type";

    /// <summary>Pod Event reasons.</summary>
    public const string EventGpuFault = "GpuFault";
    public const string EventRayDrainRequested = "RayDrainRequested";
    public const string EventRayDrainFailed = "RayDrainFailed";
    public const string EventGpuEvicting = "GpuEvicting";
    public const string EventEvictionRefused = "EvictionRefused";
    public const string EventRemediationStopped = "RemediationStopped";
    public const string EventGpuRecovered = "GpuRecovered";

    /// <summary>Node Event reason of the node breaker.</summary>
    public const string EventGpuNodeDegraded = "GpuNodeDegraded";
}
