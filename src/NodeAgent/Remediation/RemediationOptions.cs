namespace Platform.NodeAgent.Remediation;

/// <summary>Configuration section <c>Remediation</c>: what the agent does to the pod holding a GPU that failed.</summary>
internal sealed class RemediationOptions
{
    public const string Section = "Remediation";

    /// <summary><c>Off</c>, <c>Annotate</c>, <c>Drain</c> or <c>Evict</c> (case-insensitive). Default <c>Annotate</c>.</summary>
    public string Mode { get; set; } = nameof(RemediationMode.Annotate);

    /// <summary>What pods that are no Ray node get: <c>Annotate</c> or <c>Evict</c> (the latter only in <c>Evict</c> mode). Default <c>Annotate</c>.</summary>
    public string NonRayPods { get; set; } = nameof(RemediationMode.Annotate);

    /// <summary>How long Ray gets to drain the worker before it is evicted anyway; also DrainNode's deadline. Default 10 min.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Evictions this node's agent makes in any hour, at most. Default 2.</summary>
    public int MaxEvictionsPerNodePerHour { get; set; } = 2;

    /// <summary>This many GPUs of the node failing within <see cref="NodeFaultWindow"/> is a node fault (taint, no evictions). Default 2.</summary>
    public int NodeFaultGpus { get; set; } = 2;

    /// <summary>Default 10 min.</summary>
    public TimeSpan NodeFaultWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Evictions stop when more than this fraction of GPU nodes is being remediated or degraded. Default 0.1.</summary>
    public double MaxDisruptedNodeFraction { get; set; } = 0.1;

    /// <summary>The cluster breaker always allows this many disrupted nodes, however small the fleet. Default 2.</summary>
    public int MinDisruptedNodes { get; set; } = 2;

    /// <summary>Every GPU healthy this long removes the degraded taint and the remediating annotation. Default 30 min.</summary>
    public TimeSpan NodeRecoveryWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Log and emit Events only: no condition, no drain, no eviction, no taint. Default false.</summary>
    public bool DryRun { get; set; }

    /// <summary>The Ray GCS of a pod's cluster; <c>{cluster}</c> and <c>{namespace}</c> are the pod's. Default the KubeRay head service.</summary>
    public string GcsAddress { get; set; } = "{cluster}-head-svc.{namespace}.svc:6379";

    /// <summary>Label selector of the GPU nodes the cluster breaker counts. Default <c>nvidia.com/gpu.present=true</c>.</summary>
    public string GpuNodeSelector { get; set; } = "nvidia.com/gpu.present=true";

    /// <summary>First wait after an eviction a PodDisruptionBudget refused; doubles up to <see cref="EvictionRetryMax"/>. Default 5 s.</summary>
    public TimeSpan EvictionRetryInitial { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default 5 min.</summary>
    public TimeSpan EvictionRetryMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a draining Ray node's state is read again. Default 10 s.</summary>
    public TimeSpan StatusPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    internal RemediationMode ParsedMode => RemediationModes.TryParse(Mode, out var mode) ? mode : RemediationMode.Annotate;

    internal bool EvictNonRayPods => string.Equals(NonRayPods?.Trim(), nameof(RemediationMode.Evict), StringComparison.OrdinalIgnoreCase);

    /// <summary>The GCS address of one Ray cluster.</summary>
    internal string GcsAddressFor(string cluster, string @namespace) =>
        GcsAddress.Replace("{cluster}", cluster, StringComparison.Ordinal).Replace("{namespace}", @namespace, StringComparison.Ordinal);
}
