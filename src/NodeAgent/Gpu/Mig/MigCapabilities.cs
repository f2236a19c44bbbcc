using System.Globalization;

namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>
/// The capability device nodes that grant access to a MIG device. The driver lists each GPU and compute
/// instance under <c>/proc/driver/nvidia/capabilities/gpu&lt;minor&gt;/mig/gi&lt;G&gt;[/ci&lt;C&gt;]/access</c>
/// with a line <c>DeviceFileMinor: N</c>; the node is <c>/dev/nvidia-caps/nvidia-capN</c>. Without those
/// files (capabilities exposed through /dev, older drivers) the list is empty.
/// </summary>
internal static class MigCapabilities
{
    public const string DeviceDirectory = "/dev/nvidia-caps";

    public static IReadOnlyList<string> Read(string procRoot, int parentMinor, uint gpuInstanceId, uint computeInstanceId)
    {
        var gi = Path.Join(procRoot, "driver/nvidia/capabilities", string.Create(CultureInfo.InvariantCulture, $"gpu{parentMinor}/mig/gi{gpuInstanceId}"));
        var nodes = new List<string>(2);
        foreach (var access in (ReadOnlySpan<string>)[Path.Join(gi, "access"), Path.Join(gi, string.Create(CultureInfo.InvariantCulture, $"ci{computeInstanceId}"), "access")])
        {
            if (TryReadMinor(access) is { } minor)
            {
                nodes.Add(string.Create(CultureInfo.InvariantCulture, $"{DeviceDirectory}/nvidia-cap{minor}"));
            }
        }

        return nodes;
    }

    /// <summary>The N of a <c>DeviceFileMinor: N</c> line; null when the file or the line is missing.</summary>
    public static int? TryReadMinor(string accessFile)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(accessFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return ParseMinor(lines);
    }

    public static int? ParseMinor(IEnumerable<string> lines)
    {
        const string Key = "DeviceFileMinor:";
        foreach (var line in lines)
        {
            if (line.StartsWith(Key, StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(Key.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
            {
                return minor;
            }
        }

        return null;
    }
}
