namespace Platform.Chart.Tests;

/// <summary>
/// One pods/status UPDATE for the pod-status policy: who sends it, the Node their token names (null: none), the Node the
/// pod is bound to (null: none), its status conditions (JSON, "null" for none) and phase before and after.
/// </summary>
internal sealed record PodStatusCase(
    string Name, string User, string? TokenNode, string? PodNode, string OldConditions, string NewConditions, string OldPhase, string NewPhase);
