using Platform.DevicePlugin.Inventory;
using Platform.DevicePlugin.Tests.TestSupport;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Wire;

/// <summary>
/// Wire compatibility with a non-.NET gRPC stack: grpc-js (tests/tools/grpc-peer/kubelet.js) plays the
/// kubelet from the same vendored protos, registration included.
/// </summary>
public sealed class GrpcJsKubeletTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task GrpcJsKubelet_RegistersListsPrefersAllocatesAndGetsPreciseErrors()
    {
        var peer = Path.Combine(RepositoryRoot.Find(), "tests", "tools", "grpc-peer");
        Assert.True(
            Directory.Exists(Path.Combine(peer, "node_modules", "@grpc", "grpc-js")),
            $"{peer}/node_modules is missing: run scripts/test.sh (it runs 'npm ci' in tests/tools/*), or 'npm ci' in {peer}.");

        using var node = NodeProcess.Start(Path.Combine(peer, "kubelet.js"), _dir.Path);
        var ready = await node.NextAsync();
        Assert.Equal("ready", ready.GetProperty("event").GetString());

        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(4, i => i / 2), links: [Link(2, 3, GpuInterconnect.NvLink, 4)]);
        var result = await node.NextAsync();

        Assert.Equal("result", result.GetProperty("event").GetString());
        var register = result.GetProperty("register");
        Assert.Equal("v1beta1", register.GetProperty("version").GetString());
        Assert.Equal("nvidia-gpu.sock", register.GetProperty("endpoint").GetString());
        Assert.Equal("nvidia.com/gpu", register.GetProperty("resource_name").GetString());
        Assert.True(result.GetProperty("options").GetProperty("get_preferred_allocation_available").GetBoolean());
        var devices = result.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 4).Select(Uuid), devices.Select(d => d.GetProperty("ID").GetString()));
        Assert.All(devices, d => Assert.Equal("Healthy", d.GetProperty("health").GetString()));
        Assert.Equal(1, devices[3].GetProperty("topology").GetProperty("nodes")[0].GetProperty("ID").GetInt32());
        Assert.Equal([Uuid(3), Uuid(2)], result.GetProperty("preferred").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Uuid(0), result.GetProperty("allocate").GetProperty("envs").GetProperty("NVIDIA_VISIBLE_DEVICES").GetString());
        var rejected = result.GetProperty("rejected");
        Assert.Equal("INVALID_ARGUMENT", rejected.GetProperty("code").GetString());
        Assert.Contains("'GPU-does-not-exist'", rejected.GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.Contains("'nvidia.com/gpu'", rejected.GetProperty("details").GetString(), StringComparison.Ordinal);
    }
}
