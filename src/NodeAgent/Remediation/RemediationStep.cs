namespace Platform.NodeAgent.Remediation;

/// <summary>The decision and why, in words for logs and Events.</summary>
internal sealed record RemediationStep(RemediationAction Action, string Why);
