namespace Platform.Sandbox.Kubernetes;

/// <summary>A pod condition as a <c>pods/status</c> patch left it, and when the patch arrived.</summary>
internal sealed record PodConditionChange(string Namespace, string Name, string Type, string Status, string Reason, string Message, string LastTransitionTime, DateTimeOffset At);
