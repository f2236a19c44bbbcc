using System.Globalization;

namespace Platform.NodeAgent.Gpu;

/// <summary>
/// Parsers for the kernel driver's <c>/proc/driver/nvidia</c> files, used where the CUDA driver API alone
/// does not say it (driver version and minor number in <c>Gpu:Driver=cuda</c> mode).
/// </summary>
internal static class ProcDriverInfo
{
    /// <summary>
    /// <c>/proc/driver/nvidia/version</c>: "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar ..."
    /// (open kernel modules print "Open Kernel Module for x86_64"). Returns the dotted version or null.
    /// </summary>
    public static string? ParseDriverVersion(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("NVRM version:", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (token.Length > 2 && char.IsAsciiDigit(token[0]) && token.Contains('.', StringComparison.Ordinal)
                    && token.All(c => char.IsAsciiDigit(c) || c == '.'))
                {
                    return token;
                }
            }
        }

        return null;
    }

    /// <summary><c>/proc/driver/nvidia/gpus/&lt;bus&gt;/information</c>: the "Device Minor:" line.</summary>
    public static int? ParseMinorNumber(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == "Device Minor"
                && int.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
            {
                return minor;
            }
        }

        return null;
    }

    public static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
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
