using System.Text.Json;
using Platform.NodeAgent.Dra.Cdi;

namespace Platform.NodeAgent.Tests.Dra;

public class ClaimCdiSpecTests
{
    [Fact]
    public void Build_IsOneClaimDevice_CarryingTheClaimsGpus()
    {
        var json = JsonDocument.Parse(ClaimCdiSpec.Build("gpu.raygpu.io", "3f2a", ["GPU-a", "GPU-b"])).RootElement;

        Assert.Equal("0.5.0", json.GetProperty("cdiVersion").GetString());
        Assert.Equal("gpu.raygpu.io/claim", json.GetProperty("kind").GetString());
        var device = Assert.Single(json.GetProperty("devices").EnumerateArray());
        Assert.Equal("3f2a", device.GetProperty("name").GetString());
        Assert.Equal(["NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b"], device.GetProperty("containerEdits").GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Names_FollowTheToolkitAndTheCdiLibrary()
    {
        Assert.Equal("nvidia.com/gpu=GPU-a", ClaimCdiSpec.GpuDeviceId("GPU-a"));
        Assert.Equal("gpu.raygpu.io/claim=3f2a", ClaimCdiSpec.ClaimDeviceId("gpu.raygpu.io", "3f2a"));
        Assert.Equal("gpu.raygpu.io-claim_3f2a.json", ClaimCdiSpec.FileName("gpu.raygpu.io", "3f2a"));
    }
}
