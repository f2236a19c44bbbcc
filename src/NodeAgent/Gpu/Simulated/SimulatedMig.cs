using System.Globalization;
using Platform.NodeAgent.Gpu.Mig;

namespace Platform.NodeAgent.Gpu.Simulated;

/// <summary>
/// The simulator's MIG layout: <see cref="SimulatedGpuOptions.MigProfiles"/> instantiated on every
/// simulated GPU, with engine and multiprocessor counts shaped like an A100's / H100's partitions.
/// </summary>
internal static class SimulatedMig
{
    /// <summary>GPU slices a MIG-capable GPU has (A100, A30 4, H100, H200: 7).</summary>
    public const int MaxSlices = 7;

    private static readonly string[] CapableProducts = ["A100", "A30", "H100", "H200", "H20", "H800", "A800", "GH200", "B200", "GB200"];

    /// <summary>Products NVIDIA partitions with MIG, recognised by name.</summary>
    public static bool IsCapable(string product) =>
        CapableProducts.Any(p => product.Contains(p, StringComparison.OrdinalIgnoreCase));

    public static IReadOnlyList<string> Profiles(SimulatedGpuOptions options) =>
        options.MigProfiles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static void Validate(SimulatedGpuOptions options, List<string> errors)
    {
        var profiles = Profiles(options);
        if (profiles.Count == 0)
        {
            return;
        }

        if (!IsCapable(options.Product))
        {
            errors.Add($"Gpu:Simulated:MigProfiles is set but Gpu:Simulated:Product '{options.Product}' is not MIG-capable; use an A100, H100 or H200 product or leave MigProfiles empty.");
        }

        foreach (var profile in profiles.Where(p => !MigProfile.IsValid(p)).Distinct(StringComparer.Ordinal))
        {
            errors.Add($"Gpu:Simulated:MigProfiles holds '{profile}', which is not a MIG profile; use names such as 1g.10gb, 3g.40gb, 1g.10gb+me or 1c.3g.40gb.");
        }

        var slices = profiles.Sum(MigProfile.GpuSlices);
        if (slices > MaxSlices)
        {
            errors.Add($"Gpu:Simulated:MigProfiles uses {slices} GPU slices; a GPU has {MaxSlices}.");
        }
    }

    public static string UuidFor(int gpu, int mig) =>
        string.Create(CultureInfo.InvariantCulture, $"MIG-5a1a7ed0-0000-4000-8000-{gpu:x4}{mig:x8}");

    /// <summary>The MIG devices of simulated GPU <paramref name="parent"/>.</summary>
    public static IEnumerable<MigDevice> Instantiate(GpuDevice parent, IReadOnlyList<string> profiles)
    {
        var smPerSlice = parent.Name.Contains("A100", StringComparison.OrdinalIgnoreCase) || parent.Name.Contains("A30", StringComparison.OrdinalIgnoreCase) ? 14 : 16;
        for (var index = 0; index < profiles.Count; index++)
        {
            var profile = profiles[index];
            var g = MigProfile.GpuSlices(profile);
            var c = MigProfile.ComputeSlices(profile);
            var media = MigProfile.Suffix(profile) is "+me" or "+me.all";
            var noMedia = MigProfile.Suffix(profile) == "-me";
            yield return new MigDevice(
                UuidFor(parent.Index, index),
                parent.Uuid,
                parent.Index,
                index,
                GpuInstanceId: (uint)(index + 1),
                ComputeInstanceId: 0,
                profile,
                MemoryMiB: MigProfile.MemoryGb(profile) * 1024L,
                Multiprocessors: c * smPerSlice,
                new MigSlices(g, c),
                new MigEngines(
                    Copy: g,
                    Decoder: noMedia ? 0 : g == 7 ? 5 : g >= 3 ? 2 : g == 2 ? 1 : media ? 1 : 0,
                    Encoder: 0,
                    Jpeg: !noMedia && (g == 7 || media) ? 1 : 0,
                    Ofa: !noMedia && (g == 7 || media) ? 1 : 0));
        }
    }
}
