using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>MIG discoveries for pure-logic tests: A100-80GB GPUs carrying the given profiles.</summary>
internal static class TestMig
{
    public const string A100 = "NVIDIA A100-SXM4-80GB";

    /// <summary><paramref name="layouts"/>[i]: the profiles of GPU i; null leaves MIG disabled on it.</summary>
    public static GpuDiscovery Discovery(params string?[] layouts)
    {
        var devices = layouts
            .Select((profiles, i) => TestGpus.Device(i, A100, 81920, 8, 0) with { MigCapable = true, MigEnabled = profiles is not null })
            .ToList();
        var mig = devices
            .SelectMany(d => layouts[d.Index] is { } profiles
                ? SimulatedMig.Instantiate(d, profiles.Split(',', StringSplitOptions.RemoveEmptyEntries))
                : [])
            .ToList();
        return new GpuDiscovery("nvml", "550.54.15", 12040, devices, []) { MigDevices = mig };
    }
}
