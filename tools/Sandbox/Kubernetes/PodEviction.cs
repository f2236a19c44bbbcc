namespace Platform.Sandbox.Kubernetes;

/// <summary>
/// A POST to a pod's <c>eviction</c> subresource and the answer: 201 (the pod is deleted), 429 (a disruption budget
/// refused it), 404 (no such pod).
/// </summary>
internal sealed record PodEviction(string Namespace, string Name, int Code, DateTimeOffset At);
