namespace Platform.NodeAgent.Kubernetes;

/// <summary>A GPU node as the cluster breaker sees it: its remediating annotation (GPU UUID) and whether it carries the degraded taint.</summary>
internal sealed record GpuNodeMarks(string Name, string? Remediating, bool Degraded, string? ResourceVersion = null);
