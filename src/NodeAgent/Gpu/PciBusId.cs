using System.Globalization;

namespace Platform.NodeAgent.Gpu;

/// <summary>
/// PCI bus IDs in their three spellings: NVML (<c>00000000:18:00.0</c>, 8-digit domain, upper case),
/// CUDA (<c>0000:18:00.0</c>) and sysfs (<c>0000:18:00.0</c>, lower case).
/// </summary>
internal static class PciBusId
{
    /// <summary>The canonical form used in labels and metrics: NVML's, 8-digit domain, upper-case hex.</summary>
    public static string Normalize(string busId)
    {
        var trimmed = busId.Trim();
        var parts = trimmed.Split(':');
        if (parts.Length != 3
            || !uint.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var domain))
        {
            return trimmed.ToUpperInvariant();
        }

        return string.Create(CultureInfo.InvariantCulture, $"{domain:X8}:{parts[1].ToUpperInvariant()}:{parts[2].ToUpperInvariant()}");
    }

    /// <summary>The directory name under <c>/sys/bus/pci/devices</c>: 4-digit domain, lower case.</summary>
    public static string ToSysfs(string busId)
    {
        var normalized = Normalize(busId);
        var parts = normalized.Split(':');
        if (parts.Length != 3)
        {
            return normalized.ToLowerInvariant();
        }

        var domain = parts[0].Length > 4 ? parts[0][^4..] : parts[0];
        return $"{domain}:{parts[1]}:{parts[2]}".ToLowerInvariant();
    }

    /// <summary>
    /// Reads <c>numa_node</c> from sysfs below <paramref name="sysRoot"/>; -1 (no affinity), a missing
    /// file or garbage all give null.
    /// </summary>
    public static int? ReadNumaNode(string sysRoot, string busId)
    {
        var path = Path.Combine(sysRoot, "bus/pci/devices", ToSysfs(busId), "numa_node");
        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var node) && node >= 0
                ? node
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
