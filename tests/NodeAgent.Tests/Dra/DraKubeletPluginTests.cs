using System.Text.Json;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Tests.Fakes;
using DraV1 = K8S.Io.Kubelet.Pkg.Apis.Dra.V1;
using DraV1Beta1 = K8S.Io.Kubelet.Pkg.Apis.Dra.V1Beta1;

namespace Platform.NodeAgent.Tests.Dra;

/// <summary>
/// The real agent in DRA mode (simulated GPUs) against an in-process kubelet plugin watcher over real Unix
/// sockets and the loopback HTTPS fake API server serving ResourceClaims.
/// </summary>
public sealed class DraKubeletPluginTests : IAsyncLifetime
{
    private const string Node = DraAgentHarness.Node;
    private const string Driver = DraAgentHarness.Driver;

    private DraAgentHarness _agent = null!;
    private FakeDraKubelet _kubelet = null!;

    private string Registry => _agent.Registry;

    private string Cdi => _agent.Cdi;

    private string Plugin => _agent.Plugin;

    public async Task InitializeAsync()
    {
        _agent = await DraAgentHarness.CreateAsync();
        _kubelet = new FakeDraKubelet(Registry);
        await _agent.StartAgentAsync();
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        _kubelet.Dispose();
    }

    [Fact]
    public async Task Agent_RegistersAndRegistersAgain_AfterKubeletRestartAndLostSockets()
    {
        var first = await _kubelet.NextRegistrationAsync();

        Assert.Equal(Path.Combine(Registry, $"{Driver}-reg.sock"), first.RegistrationSocket);
        Assert.Equal("DRAPlugin", first.Info.Type);
        Assert.Equal(Driver, first.Info.Name);
        Assert.Equal(Path.Combine(Plugin, "dra.sock"), first.Info.Endpoint);
        Assert.Equal(["v1.DRAPlugin", "v1beta1.DRAPlugin"], first.Info.SupportedVersions);
        Assert.Contains($"raygpu_dra_plugin_registered{{driver=\"{Driver}\"}} 1", await _agent.Http.GetStringAsync("/metrics").DefaultTimeout(), StringComparison.Ordinal);
        Assert.Equal("ok", await DraReadinessAsync());

        // A restarting kubelet scans the registry directory again and finds the same socket.
        _kubelet.Restart();
        var afterKubeletRestart = await _kubelet.NextRegistrationAsync();
        Assert.Equal(first.RegistrationSocket, afterKubeletRestart.RegistrationSocket);

        // The socket file removed under the agent: it serves anew and the kubelet registers the new socket.
        File.Delete(first.RegistrationSocket);
        var afterRemoval = await _kubelet.NextRegistrationAsync();
        Assert.Equal(first.Info, afterRemoval.Info);
        Assert.True(File.Exists(first.Info.Endpoint));

        // The registry directory deleted and created again (the kubelet's watch on it is new too).
        try
        {
            Directory.Delete(Registry, recursive: true);
        }
        catch (IOException)
        {
            // The agent already served a new socket into it: the same end state.
        }

        Directory.CreateDirectory(Registry);
        _kubelet.Restart();
        var afterRecreate = await _kubelet.NextRegistrationAsync();
        Assert.Equal(first.Info, afterRecreate.Info);
        Assert.Equal("ok", await DraReadinessAsync());
    }

    [Fact]
    public async Task KubeletRefusal_IsReported_InReadinessAndMetrics()
    {
        await _kubelet.NextRegistrationAsync();
        _kubelet.RejectWith = "version skew";
        _kubelet.Restart();
        await _kubelet.NextRegistrationAsync();

        Assert.Equal("failing: the kubelet refused the registration: version skew", await DraReadinessAsync(withDetail: true));
        Assert.Contains($"raygpu_dra_plugin_registered{{driver=\"{Driver}\"}} 0", await _agent.Http.GetStringAsync("/metrics").DefaultTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrepareAndUnprepare_ThroughV1AndV1Beta1_AgreeAndCleanUp()
    {
        var registration = await _kubelet.NextRegistrationAsync();
        _agent.Api.PutClaim("ml", "worker-gpu", "9d1c5c7e-1111-4a4a-8c8c-000000000001", ("gpu", Driver, Node, "gpu-1"));
        var claim = new DraV1.Claim { Namespace = "ml", Name = "worker-gpu", Uid = "9d1c5c7e-1111-4a4a-8c8c-000000000001" };
        var missing = new DraV1.Claim { Namespace = "ml", Name = "gone", Uid = "9d1c5c7e-1111-4a4a-8c8c-000000000002" };

        var v1 = await _kubelet.V1(registration).NodePrepareResourcesAsync(new DraV1.NodePrepareResourcesRequest { Claims = { claim, missing } }).ResponseAsync.DefaultTimeout();
        var beta = await _kubelet.V1Beta1(registration).NodePrepareResourcesAsync(new DraV1Beta1.NodePrepareResourcesRequest
        {
            Claims = { new DraV1Beta1.Claim { Namespace = claim.Namespace, Name = claim.Name, Uid = claim.Uid } },
        }).ResponseAsync.DefaultTimeout();

        var prepared = v1.Claims[claim.Uid];
        Assert.Equal(string.Empty, prepared.Error);
        var device = Assert.Single(prepared.Devices);
        Assert.Equal(["gpu"], device.RequestNames);
        Assert.Equal(Node, device.PoolName);
        Assert.Equal("gpu-1", device.DeviceName);
        Assert.Equal([$"nvidia.com/gpu={SimulatedGpuDriver.UuidFor(1)}", $"{Driver}/claim={claim.Uid}-gpu"], device.CdiDeviceIds);
        Assert.Equal("ResourceClaim ml/gone does not exist", v1.Claims[missing.Uid].Error);
        Assert.Equal(prepared.Devices.Single().CdiDeviceIds, beta.Claims[claim.Uid].Devices.Single().CdiDeviceIds);
        Assert.True(File.Exists(Path.Combine(Cdi, $"{Driver}-claim_{claim.Uid}.json")));
        Assert.True(File.Exists(Path.Combine(Plugin, "claims", $"{claim.Uid}.json")));

        var unprepared = await _kubelet.V1Beta1(registration).NodeUnprepareResourcesAsync(new DraV1Beta1.NodeUnprepareResourcesRequest
        {
            Claims = { new DraV1Beta1.Claim { Namespace = claim.Namespace, Name = claim.Name, Uid = claim.Uid } },
        }).ResponseAsync.DefaultTimeout();

        Assert.Equal(string.Empty, unprepared.Claims[claim.Uid].Error);
        Assert.Empty(Directory.GetFiles(Cdi));
        Assert.Empty(Directory.GetFiles(Path.Combine(Plugin, "claims")));
    }

    /// <summary>
    /// Two containers, each naming one request of a claim, get from the kubelet the CDI ids of their request's
    /// devices only: those ids, loaded by the CDI library from the spec the agent wrote, name that request's GPU.
    /// </summary>
    [Fact]
    public async Task Prepare_ClaimWithTwoRequests_EachDeviceNamesOnlyItsRequest_AndTheSpecInjectsOnlyItsGpus()
    {
        var registration = await _kubelet.NextRegistrationAsync();
        const string uid = "9d1c5c7e-1111-4a4a-8c8c-000000000003";
        _agent.Api.PutClaim("ml", "split", uid, ("a", Driver, Node, "gpu-0"), ("b/fast", Driver, Node, "gpu-1"));

        var v1 = await _kubelet.V1(registration).NodePrepareResourcesAsync(new DraV1.NodePrepareResourcesRequest
        {
            Claims = { new DraV1.Claim { Namespace = "ml", Name = "split", Uid = uid } },
        }).ResponseAsync.DefaultTimeout();

        var devices = v1.Claims[uid].Devices;
        Assert.Equal(string.Empty, v1.Claims[uid].Error);
        Assert.Equal(
            [
                $"a gpu-0 nvidia.com/gpu={SimulatedGpuDriver.UuidFor(0)} {Driver}/claim={uid}-a",
                $"b/fast gpu-1 nvidia.com/gpu={SimulatedGpuDriver.UuidFor(1)} {Driver}/claim={uid}-b_fast",
            ],
            devices.Select(d => $"{string.Join("+", d.RequestNames)} {d.DeviceName} {string.Join(" ", d.CdiDeviceIds)}"));
        foreach (var (request, gpu) in new[] { ("a", 0), ("b/fast", 1) })
        {
            var ids = devices.Where(d => d.RequestNames.Contains(request)).SelectMany(d => d.CdiDeviceIds).Where(i => i.StartsWith(Driver, StringComparison.Ordinal));
            var injected = await CdiChecker.RunAsync(Cdi, [.. ids]);
            Assert.Empty(injected.GetProperty("specErrors").EnumerateObject());
            Assert.Equal(string.Empty, injected.GetProperty("injectError").GetString());
            Assert.Equal([$"NVIDIA_VISIBLE_DEVICES={SimulatedGpuDriver.UuidFor(gpu)}"], injected.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
        }
    }

    private async Task<string> DraReadinessAsync(bool withDetail = false)
    {
        using var response = await _agent.Http.GetAsync("/readyz").DefaultTimeout();
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        var dra = checks.EnumerateArray().Single(c => c.GetProperty("name").GetString() == $"dra-plugin {Driver}");
        var status = dra.GetProperty("status").GetString()!;
        return withDetail ? $"{status}: {dra.GetProperty("detail").GetString()}" : status;
    }
}
