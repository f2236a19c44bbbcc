using System.Runtime.InteropServices;

namespace Platform.NodeAgent.Tests.Gpu;

/// <summary>Whether this machine has an NVIDIA driver whose NVML library loads.</summary>
internal static class GpuMachine
{
    private static readonly Lazy<bool> Present = new(() =>
        NativeLibrary.TryLoad("libnvidia-ml.so.1", out var handle) && Release(handle));

    public static bool HasNvml => Present.Value;

    private static bool Release(nint handle)
    {
        NativeLibrary.Free(handle);
        return true;
    }
}

/// <summary>A test against the real driver: skipped cleanly where NVML does not load.</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (!GpuMachine.HasNvml)
        {
            Skip = "No NVIDIA driver here (libnvidia-ml.so.1 does not load); runs on a GPU machine.";
        }
    }
}

/// <summary>A test about a node without a driver: skipped on a GPU machine, where it cannot be arranged.</summary>
public sealed class NoGpuFactAttribute : FactAttribute
{
    public NoGpuFactAttribute()
    {
        if (GpuMachine.HasNvml)
        {
            Skip = "This machine has an NVIDIA driver; the no-driver path cannot be exercised here.";
        }
    }
}
