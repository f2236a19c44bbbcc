using Platform.DevicePlugin.Inventory;
using Microsoft.Extensions.Time.Testing;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;

namespace Platform.NodeAgent.Tests.Gpu;

public class SimulatedGpuDriverTests
{
    private static SimulatedGpuDriver Create(int count = 4, bool nvlink = false, FakeTimeProvider? time = null) =>
        new(new SimulatedGpuOptions { Count = count, Product = "NVIDIA H100 80GB HBM3", MemoryMiB = 81559, ComputeCapability = "9.0", NvLink = nvlink, CudaVersion = "12.4" },
            time ?? new FakeTimeProvider());

    [Fact]
    public void Discover_ReportsConfiguredGpusAndTopology()
    {
        using var driver = Create(nvlink: true);

        var discovery = driver.Discover();

        Assert.Equal(4, discovery.Devices.Count);
        Assert.Equal(12040, discovery.CudaDriverVersion);
        Assert.All(discovery.Devices, d => Assert.Equal(new ComputeCapability(9, 0), d.ComputeCapability));
        Assert.Equal(discovery.Devices.Count, discovery.Devices.Select(d => d.Uuid).Distinct().Count());
        Assert.Equal(6, discovery.Topology.Count);
        Assert.All(discovery.Topology, l => Assert.Equal(GpuInterconnect.NvLink, l.Level));
    }

    [Fact]
    public void Sample_MovesWithTheClock()
    {
        var time = new FakeTimeProvider();
        using var driver = Create(time: time);
        var device = driver.Discover().Devices[0];

        var first = driver.Sample(device);
        time.Advance(TimeSpan.FromSeconds(20));
        var second = driver.Sample(device);

        Assert.NotEqual(first.GpuUtilPercent, second.GpuUtilPercent);
        Assert.Equal(device.MemoryMiB, second.FbUsedMiB + second.FbFreeMiB + second.FbReservedMiB);
        Assert.True(second.FbReservedMiB > 0);
        Assert.True(second.TotalEnergyMillijoules > first.TotalEnergyMillijoules);
    }

    [Fact]
    public void LoseAndReset_ChangeProbeAndGeneration()
    {
        using var driver = Create();
        var device = driver.Discover().Devices[1];

        driver.Lose(1);
        var lost = driver.Probe(device);
        var xid = driver.WaitForEvent(TimeSpan.Zero);
        driver.Reset(1);
        var reset = driver.Probe(device);

        Assert.Equal(GpuProbeStatus.Lost, lost.Status);
        Assert.Equal(new GpuEvent(device.Uuid, GpuEventKind.Xid, 79), xid);
        Assert.Throws<GpuDriverException>(() => { driver.Lose(1); driver.Sample(device); });
        Assert.Equal(GpuProbeStatus.Ok, reset.Status);
        Assert.Equal(lost.ResetGeneration + 1, reset.ResetGeneration);
    }

    [Fact]
    public void InjectXid_IsDeliveredOnce()
    {
        using var driver = Create();

        driver.InjectXid(2, 48);

        Assert.Equal(new GpuEvent(SimulatedGpuDriver.UuidFor(2), GpuEventKind.Xid, 48), driver.WaitForEvent(TimeSpan.Zero));
        Assert.Null(driver.WaitForEvent(TimeSpan.Zero));
    }

    [Fact]
    public void InjectXid_UnknownGpu_Throws()
    {
        using var driver = Create(count: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => driver.InjectXid(2, 79));
    }
}
