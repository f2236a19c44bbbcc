namespace Platform.NodeAgent.Kubernetes;

/// <summary>One pod condition (status <c>True</c>/<c>False</c>; the API keeps its time to the second).</summary>
internal sealed record PodCondition(string Type, string Status, string? Reason, string? Message, DateTimeOffset? LastTransitionTime);
