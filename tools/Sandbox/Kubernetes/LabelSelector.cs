namespace Platform.Sandbox.Kubernetes;

/// <summary>
/// The equality-based label selectors of a LIST's <c>labelSelector</c> (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a</c>,
/// <c>!a</c>, comma meaning and); set-based ones (<c>in</c>, <c>notin</c>) are refused rather than misread.
/// </summary>
internal static class LabelSelector
{
    /// <exception cref="FormatException">The selector uses a form this fake does not know.</exception>
    public static bool Matches(string? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return true;
        }

        foreach (var raw in selector.Split(','))
        {
            var term = raw.Trim();
            if (term.Contains(' ', StringComparison.Ordinal) || term.Contains('(', StringComparison.Ordinal) || term.Length == 0)
            {
                throw new FormatException($"label selector term '{term}' is not equality-based");
            }

            var matches = term switch
            {
                _ when term.Split("!=", 2) is [var key, var value] => labels.GetValueOrDefault(key) != value,
                _ when term.Split("==", 2) is [var key, var value] => labels.TryGetValue(key, out var actual) && actual == value,
                _ when term.Split('=', 2) is [var key, var value] => labels.TryGetValue(key, out var actual) && actual == value,
                ['!', .. var key] => !labels.ContainsKey(key),
                _ => labels.ContainsKey(term),
            };

            if (!matches)
            {
                return false;
            }
        }

        return true;
    }
}
