namespace Platform.NodeAgent.Labels;

/// <summary>
/// The Node's taint list with the agent's taints present (matched by key and effect, value corrected),
/// or null when nothing needs to change. Taints the agent does not manage are kept as they are.
/// </summary>
internal static class NodeTaintMerge
{
    public static List<NodeTaint>? Compute(IReadOnlyList<NodeTaint> current, IReadOnlyList<NodeTaint> desired)
    {
        var result = current.ToList();
        var changed = false;
        foreach (var wanted in desired)
        {
            var at = result.FindIndex(t => t.Key == wanted.Key && t.Effect == wanted.Effect);
            if (at < 0)
            {
                result.Add(wanted);
                changed = true;
            }
            else if (result[at].Value != wanted.Value)
            {
                result[at] = wanted;
                changed = true;
            }
        }

        return changed ? result : null;
    }
}
