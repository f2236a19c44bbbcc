namespace Platform.Webhook.Policy;

/// <summary>The apimachinery syntax rules for label keys, label values and resource names, returning a
/// sentence that says what is wrong (null when valid).</summary>
internal static class KubernetesNames
{
    private const int NameMax = 63;
    private const int PrefixMax = 253;

    /// <summary>A qualified name: optional DNS-subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static string? CheckQualifiedName(string value)
    {
        if (value.Length == 0)
        {
            return "must not be empty";
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var name = value;
        if (slash >= 0)
        {
            var prefix = value[..slash];
            name = value[(slash + 1)..];
            if (CheckDnsSubdomain(prefix) is { } prefixError)
            {
                return $"prefix \"{prefix}\" {prefixError}";
            }
        }

        if (name.Length == 0)
        {
            return "has an empty name after the '/'";
        }

        if (name.Length > NameMax)
        {
            return $"name part is {name.Length} characters; the limit is {NameMax}";
        }

        return IsLabelValueBody(name)
            ? null
            : "must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'";
    }

    /// <summary>A label value: empty, or at most 63 characters of the qualified-name alphabet.</summary>
    public static string? CheckLabelValue(string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (value.Length > NameMax)
        {
            return $"is {value.Length} characters; the limit is {NameMax}";
        }

        return IsLabelValueBody(value)
            ? null
            : "must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'";
    }

    /// <summary>An extended resource name such as <c>nvidia.com/gpu</c>: prefixed, not in kubernetes.io.</summary>
    public static string? CheckExtendedResourceName(string value)
    {
        if (CheckQualifiedName(value) is { } error)
        {
            return error;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return "must have a domain prefix, like nvidia.com/gpu";
        }

        var prefix = value[..slash];
        if (prefix == "kubernetes.io" || prefix.EndsWith(".kubernetes.io", StringComparison.Ordinal))
        {
            return "is in the kubernetes.io domain, which is reserved for native resources";
        }

        return null;
    }

    /// <summary>An extended resource (not native, not quota-scoped), whose requests must equal its limits.</summary>
    public static bool IsExtendedResource(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || name.StartsWith("requests.", StringComparison.Ordinal))
        {
            return false;
        }

        var prefix = name.AsSpan(0, slash);
        return !(prefix is "kubernetes.io" || prefix.EndsWith(".kubernetes.io", StringComparison.Ordinal));
    }

    private static string? CheckDnsSubdomain(string value)
    {
        if (value.Length == 0)
        {
            return "must not be empty";
        }

        if (value.Length > PrefixMax)
        {
            return $"is longer than {PrefixMax} characters";
        }

        foreach (var part in value.Split('.'))
        {
            if (part.Length == 0 || !IsAlnumLower(part[0]) || !IsAlnumLower(part[^1]) || !part.All(c => IsAlnumLower(c) || c == '-'))
            {
                return "must be a lowercase DNS subdomain (like example.com)";
            }
        }

        return null;
    }

    private static bool IsLabelValueBody(string value) =>
        char.IsAsciiLetterOrDigit(value[0])
        && char.IsAsciiLetterOrDigit(value[^1])
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsAlnumLower(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c);
}
