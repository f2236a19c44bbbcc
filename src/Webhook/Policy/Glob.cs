namespace Platform.Webhook.Policy;

/// <summary>Shell-style globs for policy rules: <c>*</c> any run of characters, <c>?</c> one character.</summary>
internal static class Glob
{
    /// <summary>True when <paramref name="patterns"/> is omitted (matches anything) or one pattern matches.</summary>
    public static bool MatchesAny(IReadOnlyList<string>? patterns, string value)
    {
        if (patterns is null)
        {
            return true;
        }

        foreach (var pattern in patterns)
        {
            if (IsMatch(pattern, value))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        // Iterative matcher with single-star backtracking: linear in practice, no regex allocation per admission.
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starV = v;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                v = ++starV;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
