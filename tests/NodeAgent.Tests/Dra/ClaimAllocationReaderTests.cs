using Platform.NodeAgent.Dra.Prepare;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra;

public class ClaimAllocationReaderTests
{
    private const string Driver = "gpu.raygpu.io";
    private const string Pool = "node-a";
    private static readonly ClaimRef Requested = new("ml", "worker-gpu", "uid-1");
    private static readonly GpuDevice[] Gpus = [TestGpus.Device(0), TestGpus.Device(1), TestGpus.Device(2)];

    private static (IReadOnlyList<AllocatedGpu>? Gpus, string? Error) Read(ResourceClaimInfo? claim, Func<string, string?>? unhealthy = null) =>
        ClaimAllocationReader.Read(Requested, claim, Driver, Pool, Gpus, unhealthy ?? (_ => null));

    private static ResourceClaimInfo Claim(string uid = "uid-1", params ClaimDeviceResult[] results) => new("ml", "worker-gpu", uid, results);

    [Fact]
    public void Allocated_ReturnsThisDriversGpusInOrder_AndLeavesOtherDriversAlone()
    {
        var (gpus, error) = Read(Claim(results:
        [
            new("gpus", Driver, Pool, "gpu-2"),
            new("nic", "net.example.com", Pool, "eth0"),
            new("gpus", Driver, Pool, "gpu-0"),
        ]));

        Assert.Null(error);
        Assert.Equal(["gpu-2", "gpu-0"], gpus!.Select(g => g.DeviceName));
        Assert.Equal([TestGpus.Device(2).Uuid, TestGpus.Device(0).Uuid], gpus!.Select(g => g.Gpu.Uuid));
        Assert.All(gpus!, g => Assert.Equal(["gpus"], g.RequestNames));
    }

    [Fact]
    public void OneGpuForTwoRequests_IsReturnedOnceWithBoth()
    {
        var (gpus, error) = Read(Claim(results: [new("a", Driver, Pool, "gpu-1"), new("b/sub", Driver, Pool, "gpu-1")]));

        Assert.Null(error);
        var gpu = Assert.Single(gpus!);
        Assert.Equal(["a", "b/sub"], gpu.RequestNames);
    }

    private static readonly Dictionary<string, ResourceClaimInfo?> Cases = new()
    {
        ["missing"] = null,
        ["recreated"] = Claim("uid-2", new ClaimDeviceResult("gpus", Driver, Pool, "gpu-0")),
        ["pending"] = new ResourceClaimInfo("ml", "worker-gpu", "uid-1", null),
        ["empty"] = Claim(),
        ["other-drivers"] = Claim(results: [new ClaimDeviceResult("gpus", "gpu.nvidia.com", Pool, "gpu-0"), new ClaimDeviceResult("x", "a.example.com", Pool, "d")]),
        ["other-node"] = Claim(results: new ClaimDeviceResult("gpus", Driver, "node-b", "gpu-0")),
        ["no-such-gpu"] = Claim(results: new ClaimDeviceResult("gpus", Driver, Pool, "gpu-3")),
        ["non-canonical"] = Claim(results: new ClaimDeviceResult("gpus", Driver, Pool, "gpu-01")),
        ["mig-name"] = Claim(results: new ClaimDeviceResult("gpus", Driver, Pool, "mig-1g.5gb-0")),
        ["one-of-two-elsewhere"] = Claim(results: [new ClaimDeviceResult("gpus", Driver, Pool, "gpu-0"), new ClaimDeviceResult("gpus", Driver, "node-b", "gpu-1")]),
        ["bad-request-name"] = Claim(results: [new ClaimDeviceResult("gpus", Driver, Pool, "gpu-0"), new ClaimDeviceResult("GPUs b", Driver, Pool, "gpu-1")]),
    };

    [Theory]
    [InlineData("missing", "ResourceClaim ml/worker-gpu does not exist")]
    [InlineData("recreated", "ResourceClaim ml/worker-gpu has uid uid-2, not uid-1 as the kubelet asked")]
    [InlineData("pending", "ResourceClaim ml/worker-gpu is not allocated")]
    [InlineData("empty", "ResourceClaim ml/worker-gpu has no allocated devices")]
    [InlineData("other-drivers", "is allocated to driver a.example.com, gpu.nvidia.com, not gpu.raygpu.io")]
    [InlineData("other-node", "device gpu-0 of request gpus is in pool node-b, not this node's pool node-a")]
    [InlineData("no-such-gpu", "device gpu-3 of request gpus is not a GPU of this node (it has gpu-0, gpu-1, gpu-2)")]
    [InlineData("non-canonical", "device gpu-01 of request gpus is not a GPU of this node")]
    [InlineData("mig-name", "device mig-1g.5gb-0 of request gpus is not a GPU of this node")]
    [InlineData("one-of-two-elsewhere", "device gpu-1 of request gpus is in pool node-b")]
    [InlineData("bad-request-name", "device gpu-1 has request name 'GPUs b', which is neither a DNS label nor <request>/<subrequest>")]
    public void Refused_WithAPreciseReason(string @case, string expected)
    {
        var (gpus, error) = Read(Cases[@case]);

        Assert.Null(gpus);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnhealthyGpu_RefusesTheClaim_WithTheHealthReason()
    {
        var sick = TestGpus.Device(1).Uuid;

        var (gpus, error) = Read(Claim(results: [new("gpus", Driver, Pool, "gpu-0"), new("gpus", Driver, Pool, "gpu-1")]), u => u == sick ? "xid: XID 79 (fallen off the bus)" : null);

        Assert.Null(gpus);
        Assert.Equal($"ResourceClaim ml/worker-gpu: device gpu-1 ({sick}) is unhealthy: xid: XID 79 (fallen off the bus)", error);
    }

    [Fact]
    public void NodeWithoutGpus_SaysSo()
    {
        var (_, error) = ClaimAllocationReader.Read(Requested, Claim(results: new ClaimDeviceResult("gpus", Driver, Pool, "gpu-0")), Driver, Pool, [], _ => null);

        Assert.Contains("is not a GPU of this node (it has no GPUs)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void HundredsOfResults_AreAllRead()
    {
        var many = Enumerable.Range(0, 300).Select(i => new ClaimDeviceResult($"r{i}", Driver, Pool, $"gpu-{i % 3}")).ToArray();

        var (gpus, error) = Read(Claim(results: many));

        Assert.Null(error);
        Assert.Equal(3, gpus!.Count);
        Assert.Equal(100, gpus![0].RequestNames.Count);
    }
}
