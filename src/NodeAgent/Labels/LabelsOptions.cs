namespace Platform.NodeAgent.Labels;

/// <summary>Configuration section <c>Labels</c>.</summary>
internal sealed class LabelsOptions
{
    public const string Section = "Labels";

    /// <summary>Apply the GPU labels to the Node. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the Node is re-read and drift corrected. Default 5 min.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Configuration section <c>Node</c>.</summary>
internal sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>The Node this agent runs on. Default: the <c>NODE_NAME</c> environment variable (downward API).</summary>
    public string? Name { get; set; }

    /// <summary>Taints kept on the GPU node, <c>key=value:Effect</c>. Default none.</summary>
    public List<string> Taints { get; set; } = [];

    internal IReadOnlyList<NodeTaint> ParsedTaints =>
        [.. Taints.Select(t => NodeTaint.TryParse(t, out var taint, out _) ? taint! : throw new FormatException(t))];
}
