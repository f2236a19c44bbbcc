using System.Text.Json;
using Platform.NodeAgent.Dra.Cdi;

namespace Platform.NodeAgent.Tests.Dra;

public class ClaimCdiSpecTests
{
    private const string Driver = "gpu.raygpu.io";
    private const string Uid = "6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e11";

    /// <summary>
    /// GPUs as "uuid:request+request" separated by spaces; expected devices as "name=uuid,uuid" separated by
    /// spaces, the name without the claim uid's "&lt;uid&gt;-" prefix.
    /// </summary>
    [Theory]
    [InlineData("GPU-0:a GPU-1:b", "a=GPU-0 b=GPU-1")]
    [InlineData("GPU-0:gpus/h100", "gpus_h100=GPU-0")]
    [InlineData("GPU-0:gpus GPU-1:gpus", "gpus=GPU-0,GPU-1")]
    [InlineData("GPU-1:gpus GPU-0:gpus", "gpus=GPU-1,GPU-0")]
    [InlineData("GPU-0:train/big GPU-1:train/big GPU-2:serve", "train_big=GPU-0,GPU-1 serve=GPU-2")]
    [InlineData("GPU-0:a+b GPU-1:b", "a=GPU-0 b=GPU-0,GPU-1")]
    public void Build_IsOneDevicePerRequest_ListingOnlyThatRequestsGpus(string gpus, string expected)
    {
        var devices = gpus.Split(' ').Select(g => g.Split(':')).Select(g => (Uuid: g[0], Ids: ClaimCdiSpec.DeviceIds(Driver, Uid, g[0], g[1].Split('+')))).ToList();

        var json = JsonDocument.Parse(ClaimCdiSpec.Build(Driver, devices)).RootElement;

        Assert.Equal("0.5.0", json.GetProperty("cdiVersion").GetString());
        Assert.Equal("gpu.raygpu.io/claim", json.GetProperty("kind").GetString());
        Assert.Equal(
            expected.Split(' ').Select(d => d.Split('=')).Select(d => $"{Uid}-{d[0]} NVIDIA_VISIBLE_DEVICES={d[1]}"),
            json.GetProperty("devices").EnumerateArray().Select(d => $"{d.GetProperty("name").GetString()} {Assert.Single(d.GetProperty("containerEdits").GetProperty("env").EnumerateArray()).GetString()}"));
    }

    [Fact]
    public void DeviceIds_AreTheToolkitGpuThenEachOfItsRequestsOnce()
    {
        Assert.Equal(
            ["nvidia.com/gpu=GPU-a", $"gpu.raygpu.io/claim={Uid}-a", $"gpu.raygpu.io/claim={Uid}-b_sub"],
            ClaimCdiSpec.DeviceIds(Driver, Uid, "GPU-a", ["a", "b/sub", "a"]));
    }

    /// <summary>An older agent recorded one <c>claim=&lt;uid&gt;</c> device on every GPU; its spec comes back as it wrote it.</summary>
    [Fact]
    public void Build_FromIdsOfAnOlderRecord_IsTheOneClaimDeviceItNamed()
    {
        var json = JsonDocument.Parse(ClaimCdiSpec.Build(Driver,
        [
            ("GPU-a", ["nvidia.com/gpu=GPU-a", $"gpu.raygpu.io/claim={Uid}"]),
            ("GPU-b", ["nvidia.com/gpu=GPU-b", $"gpu.raygpu.io/claim={Uid}"]),
        ])).RootElement;

        var device = Assert.Single(json.GetProperty("devices").EnumerateArray());
        Assert.Equal(Uid, device.GetProperty("name").GetString());
        Assert.Equal(["NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b"], device.GetProperty("containerEdits").GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Build_IgnoresIdsOfOtherKinds_AndRepeatedIds()
    {
        var json = JsonDocument.Parse(ClaimCdiSpec.Build(Driver,
        [
            ("GPU-a", ["nvidia.com/gpu=GPU-a", $"other.example.com/claim={Uid}-a", $"gpu.raygpu.io/claim={Uid}-a", $"gpu.raygpu.io/claim={Uid}-a"]),
            ("GPU-a", ["nvidia.com/gpu=GPU-a", $"gpu.raygpu.io/claim={Uid}-a"]),
        ])).RootElement;

        var device = Assert.Single(json.GetProperty("devices").EnumerateArray());
        Assert.Equal($"{Uid}-a", device.GetProperty("name").GetString());
        Assert.Equal("NVIDIA_VISIBLE_DEVICES=GPU-a", device.GetProperty("containerEdits").GetProperty("env")[0].GetString());
    }

    [Fact]
    public void Names_FollowTheToolkitAndTheCdiLibrary()
    {
        Assert.Equal("nvidia.com/gpu=GPU-a", ClaimCdiSpec.GpuDeviceId("GPU-a"));
        Assert.Equal("gpu.raygpu.io/claim=3f2a-gpus", ClaimCdiSpec.RequestDeviceId(Driver, "3f2a", "gpus"));
        Assert.Equal("gpu.raygpu.io/claim=3f2a-gpus_a100-40gb", ClaimCdiSpec.RequestDeviceId(Driver, "3f2a", "gpus/a100-40gb"));
        Assert.Equal("gpu.raygpu.io-claim_3f2a.json", ClaimCdiSpec.FileName(Driver, "3f2a"));
    }
}
