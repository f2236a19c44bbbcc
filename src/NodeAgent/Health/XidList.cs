using System.Globalization;

namespace Platform.NodeAgent.Health;

/// <summary>Comma-separated XID lists as they come from configuration or environment variables.</summary>
internal static class XidList
{
    public static IReadOnlySet<ulong> Parse(string? text)
    {
        var result = new HashSet<ulong>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result.Add(ulong.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture));
        }

        return result;
    }

    public static bool TryValidate(string? text, out string invalid)
    {
        invalid = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                invalid = part;
                return false;
            }
        }

        return true;
    }
}
