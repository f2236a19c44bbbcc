using System.Globalization;

namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>
/// NVIDIA's MIG profile names and the resource and label spellings derived from them. A profile is
/// <c>[&lt;c&gt;c.]&lt;g&gt;g.&lt;m&gt;gb[&lt;suffix&gt;]</c>: compute slices (only when fewer than the GPU
/// instance's), GPU-instance slices, memory in GB as nvidia-smi rounds it, and the GPU-instance profile's
/// attribute suffix (<c>+me</c>, <c>-me</c>, <c>+me.all</c>, <c>+gfx</c>).
/// </summary>
internal static class MigProfile
{
    /// <summary>Prefix of mixed-strategy resource names and label keys: <c>nvidia.com/mig-1g.10gb</c>.</summary>
    public const string ResourcePrefix = "nvidia.com/mig-";

    /// <summary>
    /// The profile name from a MIG device's attributes. Memory follows nvidia-smi: the instance's share
    /// of the whole GPU rounded up to eighths, times the GPU's memory in whole GB, rounded, so a 9856 MiB
    /// instance of a 40 GB A100 is "10gb" and not "9gb".
    /// </summary>
    public static string Name(int gpuSlices, int computeSlices, long memoryMiB, long parentMemoryMiB, uint? gpuInstanceProfileId)
    {
        var fraction = parentMemoryMiB > 0 ? Math.Ceiling((double)memoryMiB / parentMemoryMiB * 8) / 8 : 0;
        var parentGb = (parentMemoryMiB + 1023) / 1024;
        var gb = (long)Math.Round(fraction * parentGb, MidpointRounding.AwayFromZero);
        var name = computeSlices > 0 && computeSlices < gpuSlices
            ? string.Create(CultureInfo.InvariantCulture, $"{computeSlices}c.{gpuSlices}g.{gb}gb")
            : string.Create(CultureInfo.InvariantCulture, $"{gpuSlices}g.{gb}gb");
        return name + Suffix(gpuInstanceProfileId);
    }

    /// <summary>The attribute suffix of a GPU-instance profile id (NVML_GPU_INSTANCE_PROFILE_*).</summary>
    public static string Suffix(uint? gpuInstanceProfileId) => gpuInstanceProfileId switch
    {
        7 or 8 => "+me",          // 1_SLICE_REV1, 2_SLICE_REV1: with a media extension
        10 or 11 or 12 => "+gfx", // *_GFX: graphics capable
        13 or 14 => "-me",        // *_NO_ME: without media engines
        15 or 16 => "+me.all",    // *_ALL_ME: every media engine
        _ => string.Empty,
    };

    /// <summary>Resource and label spelling: '+' is not allowed there and becomes '.' (DECISIONS 7, as NVIDIA's plugin does).</summary>
    public static string Sanitize(string profile) => profile.Replace('+', '.');

    /// <summary><c>1g.10gb+me</c> → <c>nvidia.com/mig-1g.10gb.me</c>.</summary>
    public static string ResourceName(string profile) => ResourcePrefix + Sanitize(profile);

    /// <summary>GPU-instance slices of a profile name (<c>3g.40gb</c> → 3, <c>1c.3g.40gb</c> → 3); 0 when it is not one.</summary>
    public static int GpuSlices(string profile) => Part(profile, 'g');

    /// <summary>Compute slices of a profile name (<c>1c.3g.40gb</c> → 1, <c>3g.40gb</c> → 3).</summary>
    public static int ComputeSlices(string profile) => Part(profile, 'c') is > 0 and var c ? c : GpuSlices(profile);

    /// <summary>Memory in GB of a profile name (<c>3g.40gb</c> → 40).</summary>
    public static int MemoryGb(string profile)
    {
        foreach (var part in Parts(profile))
        {
            if (part.EndsWith("gb", StringComparison.Ordinal) && int.TryParse(part.AsSpan(0, part.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var gb))
            {
                return gb;
            }
        }

        return 0;
    }

    /// <summary>Whether <paramref name="profile"/> is a well-formed profile name.</summary>
    public static bool IsValid(string profile) =>
        GpuSlices(profile) is > 0 and <= 8 && MemoryGb(profile) > 0 && ComputeSlices(profile) <= GpuSlices(profile)
        && Suffix(profile) is "" or "+me" or "-me" or "+me.all" or "+gfx";

    /// <summary>The attribute suffix of a profile name (<c>1g.10gb+me</c> → <c>+me</c>).</summary>
    public static string Suffix(string profile)
    {
        var at = profile.IndexOfAny(['+', '-']);
        return at < 0 ? string.Empty : profile[at..];
    }

    private static int Part(string profile, char unit)
    {
        foreach (var part in Parts(profile))
        {
            if (part.Length > 1 && part[^1] == unit && int.TryParse(part.AsSpan(0, part.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
        }

        return 0;
    }

    private static string[] Parts(string profile)
    {
        var at = profile.IndexOfAny(['+', '-']);
        return (at < 0 ? profile : profile[..at]).Split('.');
    }
}
