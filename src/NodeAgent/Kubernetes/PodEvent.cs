namespace Platform.NodeAgent.Kubernetes;

/// <summary>An Event regarding a Pod (events.k8s.io/v1), in the pod's namespace.</summary>
internal sealed record PodEvent(string Namespace, string PodName, string? PodUid, string Type, string Reason, string Action, string Note, DateTimeOffset At);
