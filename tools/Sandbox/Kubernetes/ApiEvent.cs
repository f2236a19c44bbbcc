namespace Platform.Sandbox.Kubernetes;

/// <summary>An Event as the fake API server received it (core v1 or events.k8s.io/v1), with the object it is about.</summary>
internal sealed record ApiEvent(string Kind, string Namespace, string Name, string Type, string Reason, string Note, DateTimeOffset At);
