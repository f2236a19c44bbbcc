namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// A GPU node as the cluster breaker sees it: its remediating annotation (GPU UUID) and whether it carries the degraded
/// taint; for the agent's own node also its evictions annotation, read at start.
/// </summary>
internal sealed record GpuNodeMarks(string Name, string? Remediating, bool Degraded, string? ResourceVersion = null, string? Evictions = null);
