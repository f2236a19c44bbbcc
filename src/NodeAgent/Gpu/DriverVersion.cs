using System.Globalization;

namespace Platform.NodeAgent.Gpu;

/// <summary>
/// Version numbers reported by the driver: the kernel driver as a dotted string (<c>550.54.15</c>) and
/// the CUDA driver API version as the integer <c>cuDriverGetVersion</c> returns (12040 = 12.4).
/// </summary>
internal static class DriverVersion
{
    /// <summary>Splits <c>550.54.15</c> into major, minor and revision; a missing revision is empty.</summary>
    public static (string Major, string Minor, string Revision) SplitDriver(string version)
    {
        var parts = version.Trim().Split('.');
        return (parts[0], parts.Length > 1 ? parts[1] : "0", parts.Length > 2 ? parts[2] : string.Empty);
    }

    /// <summary>Turns the CUDA integer form into major and minor: 12040 → (12, 4).</summary>
    public static (int Major, int Minor) SplitCuda(int version) => (version / 1000, version % 1000 / 10);

    public static string FormatCuda(int version)
    {
        var (major, minor) = SplitCuda(version);
        return string.Create(CultureInfo.InvariantCulture, $"{major}.{minor}");
    }

    /// <summary>Parses <c>12.4</c> into the CUDA integer form 12040; used by the simulator's options.</summary>
    public static bool TryParseCuda(string? text, out int version)
    {
        version = 0;
        if (!ComputeCapability.TryParse(text, out var parsed))
        {
            return false;
        }

        version = parsed.Major * 1000 + parsed.Minor * 10;
        return true;
    }
}
