namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// A pod as remediation reads it: where it runs, its IP (the Ray node's address), its labels, whether it
/// is being deleted, and the <c>raygpu.io/GPUHealthy</c> condition if it has one.
/// </summary>
internal sealed record RemediationPod(
    string Namespace,
    string Name,
    string? Uid,
    string? NodeName,
    string? PodIp,
    IReadOnlyDictionary<string, string> Labels,
    bool Deleting,
    PodCondition? GpuCondition);
