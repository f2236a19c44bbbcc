using System.IO.Enumeration;

namespace Platform.Webhook.Policy;

/// <summary>Shell-style globs for policy rules and profile tenancy: <c>*</c> any run of characters, <c>?</c> one
/// character, case-sensitive as Kubernetes names are. The runtime's file-name matcher does exactly this (its
/// "simple expression" has no escapes and no DOS wildcards), allocates nothing and is linear in practice.</summary>
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

    /// <remarks>The file-name matcher never matches an empty name; an empty value (no group label) matches
    /// only a pattern of stars.</remarks>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value) =>
        value.IsEmpty ? pattern.Trim('*').IsEmpty : FileSystemName.MatchesSimpleExpression(pattern, value, ignoreCase: false);
}
