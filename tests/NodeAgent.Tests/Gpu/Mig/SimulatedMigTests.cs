using Microsoft.Extensions.Time.Testing;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;

namespace Platform.NodeAgent.Tests.Gpu.Mig;

public class SimulatedMigTests
{
    private static SimulatedGpuOptions Options(string product, string profiles) =>
        new() { Count = 2, Product = product, MemoryMiB = 81920, MigProfiles = profiles };

    [Fact]
    public void Discover_ProfilesOnEveryGpu_MigEnabledWithUniqueMigUuids()
    {
        using var driver = new SimulatedGpuDriver(Options("NVIDIA A100-SXM4-80GB", "1g.10gb, 1g.10gb,3g.40gb"), new FakeTimeProvider());

        var discovery = driver.Discover();

        Assert.All(discovery.Devices, d => Assert.True(d.MigCapable && d.MigEnabled));
        Assert.Equal(6, discovery.MigDevices.Count);
        Assert.Equal(6, discovery.MigDevices.Select(m => m.Uuid).Distinct().Count());
        Assert.All(discovery.MigDevices, m => Assert.Matches("^MIG-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", m.Uuid));
        Assert.Equal(["1g.10gb", "1g.10gb", "3g.40gb"], discovery.MigDevices.Where(m => m.ParentIndex == 1).Select(m => m.Profile));
        Assert.Equal([1u, 2u, 3u], discovery.MigDevices.Where(m => m.ParentIndex == 1).Select(m => m.GpuInstanceId));
        Assert.Equal((3, 42), (discovery.MigDevices[2].Slices.GpuInstance, discovery.MigDevices[2].Multiprocessors));
    }

    [Theory]
    [InlineData("NVIDIA H100 80GB HBM3", "", true, false)]
    [InlineData("NVIDIA H200", "7g.141gb", true, true)]
    [InlineData("NVIDIA A10G", "", false, false)]
    public void Discover_CapabilityFollowsTheProduct(string product, string profiles, bool capable, bool enabled)
    {
        using var driver = new SimulatedGpuDriver(Options(product, profiles), new FakeTimeProvider());

        var device = driver.Discover().Devices[0];

        Assert.Equal((capable, enabled), (device.MigCapable, device.MigEnabled));
    }

    [Fact]
    public void SampleMig_FramebufferWithinTheInstance_LostParentThrows()
    {
        using var driver = new SimulatedGpuDriver(Options("NVIDIA A100-SXM4-80GB", "1g.10gb"), new FakeTimeProvider());
        var mig = driver.Discover().MigDevices[1];

        var sample = driver.SampleMig(mig);
        driver.Lose(1);

        Assert.Equal(mig.MemoryMiB, sample.FbUsedMiB + sample.FbFreeMiB);
        Assert.Null(sample.GpuUtilPercent);
        Assert.Throws<GpuDriverException>(() => driver.SampleMig(mig));
    }

    [Fact]
    public void InjectXid_WithGpuInstance_EventCarriesIt()
    {
        using var driver = new SimulatedGpuDriver(Options("NVIDIA A100-SXM4-80GB", "1g.10gb"), new FakeTimeProvider());

        driver.InjectXid(1, 31, gpuInstanceId: 1);

        var next = driver.WaitForEvent(TimeSpan.FromSeconds(5));
        Assert.Equal((SimulatedGpuDriver.UuidFor(1), 31ul, (uint?)1), (next!.Uuid, next.Code, next.GpuInstanceId));
    }

    [Theory]
    [InlineData("NVIDIA A10G", "1g.10gb", "not MIG-capable")]
    [InlineData("NVIDIA A100-SXM4-80GB", "1g.10gb,big", "'big', which is not a MIG profile")]
    [InlineData("NVIDIA A100-SXM4-80GB", "4g.40gb,4g.40gb", "uses 8 GPU slices")]
    public void Validator_BadMigProfiles_ExplainsTheKey(string product, string profiles, string message)
    {
        var result = new GpuOptionsValidator(ClusterDetector.None).Validate(null, new GpuOptions { Driver = "simulated", Simulated = Options(product, profiles) });

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gpu:Simulated:", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_GoodMigProfiles_Pass() =>
        Assert.True(new GpuOptionsValidator(ClusterDetector.None).Validate(null, new GpuOptions { Driver = "simulated", Simulated = Options("NVIDIA H100 80GB HBM3", "1g.10gb,1g.10gb+me,2g.20gb,3g.40gb") }).Succeeded);
}
