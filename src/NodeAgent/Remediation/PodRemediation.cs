using Platform.NodeAgent.Kubernetes;

namespace Platform.NodeAgent.Remediation;

/// <summary>
/// The agent's working copy of one pod's remediation. Its durable part (stage, start) is the pod's condition;
/// the rest (the Ray node, the drain's answer, the eviction backoff) is rebuilt after a restart.
/// </summary>
internal sealed class PodRemediation((string Namespace, string Name) key, string node, string gpuUuid, string faultReason, string faultDetail, DateTimeOffset faultAt, bool resumed)
{
    public (string Namespace, string Name) Key { get; } = key;

    /// <summary>The agent's node, which remediates the pod: named as the reporting instance of the pod's Events.</summary>
    public string Node { get; } = node;

    public string GpuUuid { get; set; } = gpuUuid;

    public string FaultReason { get; set; } = faultReason;

    public string FaultDetail { get; set; } = faultDetail;

    /// <summary>When the fault hit (transition time; after a restart, the condition's time).</summary>
    public DateTimeOffset FaultAt { get; set; } = faultAt;

    /// <summary>Found at start with a condition of ours: continue it, never start it over.</summary>
    public bool Resumed { get; } = resumed;

    /// <summary>False until the pod, its namespace and its condition were read once.</summary>
    public bool Loaded { get; set; }

    public RemediationStage Stage { get; set; }

    public DateTimeOffset Start { get; set; } = faultAt;

    public RemediationMode Mode { get; set; }

    public RayPodKind Kind { get; set; }

    public string? Uid { get; set; }

    public string? PodIp { get; set; }

    public string RayCluster { get; set; } = string.Empty;

    public DrainProgress Drain { get; set; }

    public bool DrainFailureReported { get; set; }

    public RayNodeLookup? RayNode { get; set; }

    public bool GpuRecovered { get; set; }

    public bool EvictionAnnounced { get; set; }

    /// <summary>This pod's entry in the node's evictions annotation, once written (before its first eviction call).</summary>
    public DateTimeOffset? EvictionRecordedAt { get; set; }

    /// <summary>The GpuFault Event, held back until Ray has been asked to drain.</summary>
    public PodEvent? PendingEvent { get; set; }

    public TimeSpan RetryDelay { get; set; }

    /// <summary>When to step again; null: nothing to do until the GPU recovers (annotated, stopped, drained in drain mode).</summary>
    public DateTimeOffset? NextAt { get; set; }

    /// <summary>Under way: a step is pending (a pod merely found at start, not read yet, is not).</summary>
    public bool InFlight => NextAt is not null && (Loaded || !Resumed);

    public PodEvent Event(string type, string reason, string action, string note, DateTimeOffset at) =>
        new(Key.Namespace, Key.Name, Uid, type, reason, action, note, at, Node);
}
