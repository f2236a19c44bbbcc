namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// An Event regarding a Pod (events.k8s.io/v1), in the pod's namespace. <paramref name="ReportingNode"/> is the
/// agent's own node: it names the reporting instance, so Events from many agents can be told apart.
/// </summary>
internal sealed record PodEvent(string Namespace, string PodName, string? PodUid, string Type, string Reason, string Action, string Note, DateTimeOffset At, string ReportingNode);
