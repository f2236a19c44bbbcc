using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>Hand-made discovery results for pure-logic tests.</summary>
internal static class TestGpus
{
    public static GpuDevice Device(int index, string name = "NVIDIA A10G", long memoryMiB = 23028, int major = 8, int minor = 6) =>
        new(index, $"GPU-00000000-0000-0000-0000-00000000000{index}", index, name, memoryMiB, new ComputeCapability(major, minor),
            $"00000000:{0x10 + index:X2}:00.0", 0, MigEnabled: false);

    public static GpuDiscovery Discovery(int count, string name = "NVIDIA A10G", long memoryMiB = 23028, int major = 8, int minor = 6) =>
        new("nvml", "550.54.15", 12040, [.. Enumerable.Range(0, count).Select(i => Device(i, name, memoryMiB, major, minor))], []);
}
