using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Native;

namespace Platform.NodeAgent.Tests.Gpu;

/// <summary>The bindings against a real driver. Skipped without one; run on the GPU machine.</summary>
public class NvmlGpuDriverTests
{
    [GpuFact]
    public void Discover_RealDriver_ReportsConsistentDevices()
    {
        using var driver = NvmlGpuDriver.Open("/", "/sys");

        var discovery = driver.Discover();

        Assert.NotEmpty(discovery.Devices);
        Assert.Matches(@"^\d+\.\d+", discovery.DriverVersion);
        Assert.True(discovery.CudaDriverVersion >= 10000, $"CUDA driver version {discovery.CudaDriverVersion}");
        foreach (var device in discovery.Devices)
        {
            Assert.StartsWith("GPU-", device.Uuid, StringComparison.Ordinal);
            Assert.True(device.MemoryMiB > 1024);
            Assert.Matches("^[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\\.[0-9A-F]$", device.PciBusId);
            Assert.True(device.ComputeCapability.Major >= 3);
        }
    }

    [GpuFact]
    public void SampleAndProbe_RealDriver_Answer()
    {
        using var driver = NvmlGpuDriver.Open("/", "/sys");
        var device = driver.Discover().Devices[0];

        var sample = driver.Sample(device);
        var probe = driver.Probe(device);

        Assert.NotNull(sample.FbFreeMiB);
        Assert.Equal(GpuProbeStatus.Ok, probe.Status);
    }

    [GpuFact]
    public void CudaView_RealDriver_AgreesWithNvml()
    {
        using var nvml = NvmlGpuDriver.Open("/", "/sys");
        if (!NativeLibraryResolver.TryLoad("/", CudaNative.Library, out var failure))
        {
            Assert.Fail(failure);
        }

        var (version, cuda) = CudaDeviceReader.Read();

        Assert.True(version >= 10000);
        Assert.Empty(GpuCrossCheck.Compare(nvml.Discover().Devices, cuda));
    }
}
