using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Native;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Gpu;

public class GpuCrossCheckTests
{
    private static CudaDeviceInfo Cuda(GpuDevice d, int ordinal) =>
        new(ordinal, d.Uuid, d.Name, d.MemoryMiB - 200, d.ComputeCapability, "0000:" + d.PciBusId[9..]);

    [Fact]
    public void Compare_SameGpusInOtherOrder_NoProblems()
    {
        var nvml = TestGpus.Discovery(2).Devices;
        Assert.Empty(GpuCrossCheck.Compare(nvml, [Cuda(nvml[1], 0), Cuda(nvml[0], 1)]));
    }

    [Fact]
    public void Compare_Disagreements_NameEachOne()
    {
        var nvml = TestGpus.Discovery(3).Devices;
        var cuda = new List<CudaDeviceInfo>
        {
            Cuda(nvml[0], 0) with { MemoryMiB = 1024 },
            Cuda(nvml[1], 1) with { PciBusId = "0000:99:00.0" },
            new(2, "GPU-ffffffff-0000-0000-0000-000000000000", "x", 1, new ComputeCapability(8, 0), "0000:50:00.0"),
        };

        var problems = GpuCrossCheck.Compare(nvml, cuda);

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("memory", StringComparison.Ordinal) && p.Contains(nvml[0].Uuid, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("PCI bus ID", StringComparison.Ordinal) && p.Contains(nvml[1].Uuid, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not to CUDA", StringComparison.Ordinal) && p.Contains(nvml[2].Uuid, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not to NVML", StringComparison.Ordinal));
    }

    /// <summary>
    /// CUDA reports the memory it can use: NVML's total less the driver's reserve. Read on a real H200
    /// (driver 580.159.04): NVML 143771 MiB with 615 MiB reserved, CUDA 143155 MiB.
    /// </summary>
    [Theory]
    [InlineData(143771, 143155, true)]   // H200: 616 MiB reserve
    [InlineData(81559, 80994, true)]     // H100 80GB
    [InlineData(40960, 40960, true)]     // the same figure
    [InlineData(143771, 143780, true)]   // a rounding MiB or so above
    [InlineData(143771, 141000, false)]  // 2.7 GiB short: more than a reserve
    [InlineData(24576, 23000, false)]    // 1.5 GiB short on a 24 GiB card
    [InlineData(40960, 41984, false)]    // CUDA sees more than the GPU has
    public void Compare_CudaMemory_AllowsTheDriversReserveOnly(long nvmlMiB, long cudaMiB, bool agree)
    {
        var device = TestGpus.Device(0) with { MemoryMiB = nvmlMiB };

        var problems = GpuCrossCheck.Compare([device], [Cuda(device, 0) with { MemoryMiB = cudaMiB }]);

        Assert.Equal(agree, problems.Count == 0);
    }

    [Fact]
    public void Compare_MigEnabledGpuHiddenFromCuda_IsExpected()
    {
        var mig = TestGpus.Device(0) with { MigEnabled = true, MigCapable = true };
        Assert.Empty(GpuCrossCheck.Compare([mig], []));
    }
}
