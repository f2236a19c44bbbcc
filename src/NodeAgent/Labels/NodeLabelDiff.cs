namespace Platform.NodeAgent.Labels;

/// <summary>
/// What to send in a JSON merge patch so the Node carries exactly the desired owned labels: changed or
/// missing keys with their value, stale owned keys with null (merge-patch deletion). Other keys untouched.
/// </summary>
internal static class NodeLabelDiff
{
    public static SortedDictionary<string, string?> Compute(
        IReadOnlyDictionary<string, string>? current,
        IReadOnlyDictionary<string, string> desired,
        IReadOnlySet<string> owned,
        IReadOnlySet<string>? ignoreValueOf = null) =>
        Compute(current, desired, owned.Contains, ignoreValueOf);

    /// <summary>As above, with ownership as a predicate (owned keys with a variable part, such as MIG profiles).</summary>
    public static SortedDictionary<string, string?> Compute(
        IReadOnlyDictionary<string, string>? current,
        IReadOnlyDictionary<string, string> desired,
        Func<string, bool> owned,
        IReadOnlySet<string>? ignoreValueOf = null)
    {
        var patch = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        current ??= new Dictionary<string, string>();
        foreach (var (key, value) in desired)
        {
            if (!current.TryGetValue(key, out var existing))
            {
                patch[key] = value;
            }
            else if (existing != value && ignoreValueOf?.Contains(key) != true)
            {
                patch[key] = value;
            }
        }

        foreach (var key in current.Keys)
        {
            if (owned(key) && !desired.ContainsKey(key))
            {
                patch[key] = null;
            }
        }

        return patch;
    }
}
