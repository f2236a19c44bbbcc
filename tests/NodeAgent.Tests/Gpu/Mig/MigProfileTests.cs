using Platform.NodeAgent.Gpu.Mig;

namespace Platform.NodeAgent.Tests.Gpu.Mig;

public class MigProfileTests
{
    [Theory]
    // A100-SXM4-40GB (40960 MiB as NVML reports the whole GPU's memory).
    [InlineData(1, 1, 4864, 40960, 0u, "1g.5gb")]
    [InlineData(2, 2, 9856, 40960, 1u, "2g.10gb")]
    [InlineData(3, 3, 19968, 40960, 2u, "3g.20gb")]
    [InlineData(7, 7, 40192, 40960, 4u, "7g.40gb")]
    // A100-SXM4-80GB.
    [InlineData(1, 1, 9728, 81920, 0u, "1g.10gb")]
    [InlineData(1, 1, 9728, 81920, 7u, "1g.10gb+me")]
    [InlineData(1, 1, 19968, 81920, 9u, "1g.20gb")]
    [InlineData(3, 3, 40192, 81920, 2u, "3g.40gb")]
    // Compute instances smaller than their GPU instance name the compute slices first.
    [InlineData(3, 1, 40192, 81920, 2u, "1c.3g.40gb")]
    // H100 80GB HBM3 (81559 MiB) and H200 (143771 MiB), newer suffixes.
    [InlineData(1, 1, 9984, 81559, 13u, "1g.10gb-me")]
    [InlineData(1, 1, 9984, 81559, 15u, "1g.10gb+me.all")]
    [InlineData(1, 1, 9984, 81559, 10u, "1g.10gb+gfx")]
    [InlineData(3, 3, 69632, 143771, 2u, "3g.71gb")]
    [InlineData(1, 1, 16384, 143771, 7u, "1g.18gb+me")]
    [InlineData(1, 1, 16384, 143771, null, "1g.18gb")]
    public void Name_FromAttributes_MatchesNvidiaSmi(int gpuSlices, int computeSlices, long memoryMiB, long parentMiB, uint? profileId, string expected) =>
        Assert.Equal(expected, MigProfile.Name(gpuSlices, computeSlices, memoryMiB, parentMiB, profileId));

    [Theory]
    [InlineData("1g.10gb", "nvidia.com/mig-1g.10gb")]
    [InlineData("1g.10gb+me", "nvidia.com/mig-1g.10gb.me")]
    [InlineData("1g.10gb+me.all", "nvidia.com/mig-1g.10gb.me.all")]
    [InlineData("1g.10gb-me", "nvidia.com/mig-1g.10gb-me")]
    [InlineData("1c.3g.40gb", "nvidia.com/mig-1c.3g.40gb")]
    public void ResourceName_PlusBecomesDot(string profile, string expected) =>
        Assert.Equal(expected, MigProfile.ResourceName(profile));

    [Theory]
    [InlineData("1g.10gb", 1, 1, 10, true)]
    [InlineData("1c.3g.40gb", 3, 1, 40, true)]
    [InlineData("7g.80gb", 7, 7, 80, true)]
    [InlineData("1g.10gb+me", 1, 1, 10, true)]
    [InlineData("1g.10gb+turbo", 1, 1, 10, false)]
    [InlineData("3c.1g.10gb", 1, 3, 10, false)]
    [InlineData("10gb", 0, 0, 10, false)]
    [InlineData("1g", 1, 1, 0, false)]
    [InlineData("", 0, 0, 0, false)]
    [InlineData("g.gb", 0, 0, 0, false)]
    public void Parse_Parts(string profile, int gpuSlices, int computeSlices, int memoryGb, bool valid)
    {
        Assert.Equal(gpuSlices, MigProfile.GpuSlices(profile));
        Assert.Equal(computeSlices, MigProfile.ComputeSlices(profile));
        Assert.Equal(memoryGb, MigProfile.MemoryGb(profile));
        Assert.Equal(valid, MigProfile.IsValid(profile));
    }

    [Theory]
    [InlineData(new[] { "DeviceFileMinor: 21", "DeviceFileMode: 292" }, 21)]
    [InlineData(new[] { "DeviceFileMode: 292", "DeviceFileMinor:7" }, 7)]
    [InlineData(new[] { "DeviceFileMinor: x" }, null)]
    [InlineData(new string[0], null)]
    public void Capabilities_ParseMinor(string[] lines, int? minor) =>
        Assert.Equal(minor, MigCapabilities.ParseMinor(lines));

    [Fact]
    public void Capabilities_Read_GpuAndComputeInstanceNodes_MissingFilesLeftOut()
    {
        var root = Directory.CreateTempSubdirectory("mig-proc-").FullName;
        try
        {
            var gi = Directory.CreateDirectory(Path.Combine(root, "driver/nvidia/capabilities/gpu3/mig/gi7/ci0")).FullName;
            File.WriteAllText(Path.Combine(gi, "..", "access"), "DeviceFileMinor: 66\nDeviceFileMode: 292\n");
            File.WriteAllText(Path.Combine(gi, "access"), "DeviceFileMinor: 67\n");

            Assert.Equal(["/dev/nvidia-caps/nvidia-cap66", "/dev/nvidia-caps/nvidia-cap67"], MigCapabilities.Read(root, 3, 7, 0));
            Assert.Equal(["/dev/nvidia-caps/nvidia-cap66"], MigCapabilities.Read(root, 3, 7, 1));
            Assert.Empty(MigCapabilities.Read(root, 2, 7, 0));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
