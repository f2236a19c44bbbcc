using System.Text.Json;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Gpu.Simulated;
using Xunit.Abstractions;

namespace Platform.NodeAgent.Tests.Dra;

/// <summary>
/// Wire compatibility with a non-.NET gRPC stack: grpc-js (tests/tools/grpc-peer/dra-kubelet.js) plays the
/// kubelet's plugin watcher and DRA manager from the same vendored protos, and times Prepare.
/// </summary>
public sealed class GrpcJsDraKubeletTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Uid = "6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e11";
    private const string OtherNodeUid = "6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e12";
    private const string RecreatedUid = "6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e13";
    private DraAgentHarness _agent = null!;

    public async Task InitializeAsync() => _agent = await DraAgentHarness.CreateAsync();

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task GrpcJsKubelet_RegistersPreparesIdempotentlyUnpreparesAndTimesPrepare()
    {
        var peer = Path.Combine(RepositoryRoot.Find(), "tests", "tools", "grpc-peer");
        Assert.True(
            Directory.Exists(Path.Combine(peer, "node_modules", "@grpc", "grpc-js")),
            $"{peer}/node_modules is missing: run scripts/test.sh (it runs 'npm ci' in tests/tools/*), or 'npm ci' in {peer}.");
        _agent.Api.PutClaim("ml", "pair", Uid, ("train", DraAgentHarness.Driver, DraAgentHarness.Node, "gpu-0"), ("serve/fast", DraAgentHarness.Driver, DraAgentHarness.Node, "gpu-1"));
        _agent.Api.PutClaim("ml", "elsewhere", OtherNodeUid, ("gpus", DraAgentHarness.Driver, "gpu-node-2", "gpu-0"));
        _agent.Api.PutClaim("ml", "recreated", "a-newer-uid", ("gpus", DraAgentHarness.Driver, DraAgentHarness.Node, "gpu-0"));
        var claims = JsonSerializer.Serialize(new[]
        {
            new { @namespace = "ml", name = "pair", uid = Uid },
            new { @namespace = "ml", name = "elsewhere", uid = OtherNodeUid },
            new { @namespace = "ml", name = "recreated", uid = RecreatedUid },
            new { @namespace = "ml", name = "unknown", uid = "6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e14" },
        });

        using var node = NodeProcess.Start(Path.Combine(peer, "dra-kubelet.js"), _agent.Registry, claims, "50");
        Assert.Equal("ready", (await node.NextAsync()).GetProperty("event").GetString());
        await _agent.StartAgentAsync();
        var result = await node.NextAsync();

        Assert.Equal("result", result.GetProperty("event").GetString());
        var info = result.GetProperty("info");
        Assert.Equal("DRAPlugin", info.GetProperty("type").GetString());
        Assert.Equal(DraAgentHarness.Driver, info.GetProperty("name").GetString());
        Assert.Equal(Path.Combine(_agent.Plugin, "dra.sock"), info.GetProperty("endpoint").GetString());

        var prepared = result.GetProperty("prepared");
        var pair = prepared.GetProperty(Uid);
        Assert.Equal(string.Empty, pair.GetProperty("error").GetString());

        // Each GPU carries its own request's device only: a container naming one request gets no other's GPUs.
        Assert.Equal(
            [
                $"train: nvidia.com/gpu={SimulatedGpuDriver.UuidFor(0)} {DraAgentHarness.Driver}/claim={Uid}-train",
                $"serve/fast: nvidia.com/gpu={SimulatedGpuDriver.UuidFor(1)} {DraAgentHarness.Driver}/claim={Uid}-serve_fast",
            ],
            pair.GetProperty("devices").EnumerateArray().Select(d =>
                $"{string.Join("+", d.GetProperty("request_names").EnumerateArray().Select(r => r.GetString()))}: {string.Join(" ", d.GetProperty("cdi_device_ids").EnumerateArray().Select(i => i.GetString()))}"));
        Assert.Contains("is in pool gpu-node-2, not this node's pool gpu-node-1", prepared.GetProperty(OtherNodeUid).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains($"has uid a-newer-uid, not {RecreatedUid}", prepared.GetProperty(RecreatedUid).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("ResourceClaim ml/unknown does not exist", prepared.GetProperty("6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e14").GetProperty("error").GetString());

        // The retry and the v1beta1 call answer exactly as the first v1 call did.
        Assert.Equal(pair.GetRawText(), result.GetProperty("retried").GetProperty(Uid).GetRawText());
        Assert.Equal(pair.GetProperty("devices").GetRawText(), result.GetProperty("beta").GetProperty(Uid).GetProperty("devices").GetRawText());
        foreach (var unprepare in new[] { "unprepared", "unpreparedAgain" })
        {
            Assert.All(result.GetProperty(unprepare).EnumerateObject(), c => Assert.Equal(string.Empty, c.Value.GetProperty("error").GetString()));
            Assert.Equal(4, result.GetProperty(unprepare).EnumerateObject().Count());
        }

        Assert.Empty(Directory.GetFiles(_agent.Cdi));
        Assert.Empty(Directory.GetFiles(Path.Combine(_agent.Plugin, "claims")));
        var latency = result.GetProperty("latency");
        Assert.Equal(50, latency.GetProperty("iterations").GetInt32());
        output.WriteLine($"grpc-js NodePrepareResources over UDS, 50 rounds: full prepare median {latency.GetProperty("prepareMedianMs").GetDouble():0.###} ms (p90 {latency.GetProperty("prepareP90Ms").GetDouble():0.###}), retried prepare median {latency.GetProperty("retryMedianMs").GetDouble():0.###} ms (p90 {latency.GetProperty("retryP90Ms").GetDouble():0.###})");
    }
}
