namespace Platform.Chart.Tests;

/// <summary>
/// One Node UPDATE for the node-patch policy: who sends it, the node their token names (null: none), the Node,
/// its labels and taints (JSON) before and after, and <paramref name="Extra"/> for a change beyond labels and taints:
/// "annotation" (a foreign one added), "remediating" (the agent's raygpu.io/remediating added), "remediated" (it
/// removed), "evictions" (the agent's raygpu.io/evictions set) or "cordon".
/// </summary>
internal sealed record NodePatchCase(
    string Name, string User, string? TokenNode, string Node, string OldLabels, string NewLabels, string OldTaints, string NewTaints, string? Extra);
