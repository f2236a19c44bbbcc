using System.Globalization;

namespace Platform.NodeAgent.Dra.Slices;

/// <summary>
/// Value spellings the ResourceSlice API checks: semantic versions for version attributes and Kubernetes
/// quantities in the canonical form the API server stores (so a re-read slice compares equal to a built one).
/// </summary>
internal static class DraValues
{
    private static readonly string[] BinarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    /// <summary>
    /// <c>550.54.15</c> → <c>550.54.15</c>, <c>535.104.05</c> → <c>535.104.5</c> (semver forbids leading zeros),
    /// <c>9.0</c> → <c>9.0.0</c>. Null for anything that is not one to three dot-separated numbers.
    /// </summary>
    public static string? SemanticVersion(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Trim().Split('.');
        if (parts.Length > 3)
        {
            return null;
        }

        var numbers = new long[3];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length is 0 or > 18 || !long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return null;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{numbers[0]}.{numbers[1]}.{numbers[2]}");
    }

    /// <summary>MiB as a binary quantity with the largest exact suffix: 81920 → <c>80Gi</c>, 23028 → <c>23028Mi</c>.</summary>
    public static string MebibytesQuantity(long mebibytes)
    {
        if (mebibytes <= 0)
        {
            return "0";
        }

        var value = mebibytes;
        var suffix = 2;
        while (suffix < BinarySuffixes.Length - 1 && value % 1024 == 0)
        {
            value /= 1024;
            suffix++;
        }

        return value.ToString(CultureInfo.InvariantCulture) + BinarySuffixes[suffix];
    }
}
