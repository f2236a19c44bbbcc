using System.Text;

namespace Platform.Webhook.Mutation;

/// <summary>RFC 6901 JSON pointers: <c>~</c> is written <c>~0</c> and <c>/</c> is written <c>~1</c>, so
/// <c>limits/nvidia.com/gpu</c> becomes <c>/limits/nvidia.com~1gpu</c>.</summary>
internal static class JsonPointer
{
    public static string Escape(string segment) =>
        segment.AsSpan().IndexOfAny('~', '/') < 0 ? segment : segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Unescape(string segment) =>
        segment.Contains('~', StringComparison.Ordinal) ? segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal) : segment;

    public static string Append(string pointer, string segment) => pointer + "/" + Escape(segment);

    public static string Build(IEnumerable<string> segments)
    {
        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            builder.Append('/').Append(Escape(segment));
        }

        return builder.ToString();
    }

    /// <summary>The pointer to <paramref name="last"/> under <paramref name="parent"/>, built without an
    /// intermediate array (the patch builder calls this for every operation).</summary>
    public static string Build(ReadOnlySpan<string> parent, string last)
    {
        var builder = new StringBuilder(64);
        foreach (var segment in parent)
        {
            builder.Append('/').Append(Escape(segment));
        }

        return builder.Append('/').Append(Escape(last)).ToString();
    }

    /// <summary>Splits a pointer into unescaped segments; "" is the whole document.</summary>
    public static string[] Parse(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new FormatException($"JSON pointer \"{pointer}\" must start with '/'");
        }

        var parts = pointer[1..].Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = Unescape(parts[i]);
        }

        return parts;
    }
}
