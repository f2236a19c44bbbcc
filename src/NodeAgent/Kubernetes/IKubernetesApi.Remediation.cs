namespace Platform.NodeAgent.Kubernetes;

/// <summary>The calls of GPU remediation: pods, their status and Events, evictions, namespaces, the GPU node list.</summary>
internal partial interface IKubernetesApi
{
    /// <summary>The pod, or null when it no longer exists.</summary>
    Task<RemediationPod?> GetPodAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Sets one condition through the <c>pods/status</c> subresource (strategic merge: conditions merge by
    /// type, others are kept). False when the pod no longer exists.
    /// </summary>
    Task<bool> PatchPodConditionAsync(string @namespace, string name, PodCondition condition, CancellationToken cancellationToken);

    Task CreatePodEventAsync(PodEvent podEvent, CancellationToken cancellationToken);

    /// <summary>policy/v1 Eviction, with the pod's uid as precondition so a pod recreated under the same name is never evicted.</summary>
    Task<EvictionResult> EvictPodAsync(string @namespace, string name, string? uid, CancellationToken cancellationToken);

    /// <summary>The namespace's labels, or null when it does not exist.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetNamespaceLabelsAsync(string @namespace, CancellationToken cancellationToken);

    /// <summary>Nodes matching the label selector with their remediation marks.</summary>
    Task<IReadOnlyList<GpuNodeMarks>> ListNodeMarksAsync(string labelSelector, CancellationToken cancellationToken);

    /// <summary>The remediation marks of one Node (the agent's own, read at start).</summary>
    Task<GpuNodeMarks> GetNodeMarksAsync(string name, CancellationToken cancellationToken);
}
