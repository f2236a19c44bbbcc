using System.Globalization;
using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Dra;

/// <summary>
/// The one definition of a GPU's device name in ResourceSlices and claim allocations: <c>gpu-&lt;index&gt;</c>
/// with the index discovery reports. Names are canonical (no sign, no leading zeros) so a parsed name
/// always formats back to itself and one GPU never has two names.
/// </summary>
internal static class DraDeviceName
{
    private const string Prefix = "gpu-";

    public static string Of(GpuDevice gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return Prefix + gpu.Index.ToString(CultureInfo.InvariantCulture);
    }

    public static bool TryParse(string? name, out int index)
    {
        index = -1;
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var digits = name.AsSpan(Prefix.Length);
        if (digits.Length == 0 || (digits.Length > 1 && digits[0] == '0'))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        // Digits beyond int's range are not an index discovery could have reported.
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        index = parsed;
        return true;
    }
}
