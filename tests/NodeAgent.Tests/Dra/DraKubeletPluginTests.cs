using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Platform.NodeAgent.Gpu;
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
    private const string Node = "gpu-node-1";
    private const string Driver = "gpu.raygpu.io";

    // Unix socket paths must stay under 108 bytes: a short directory straight under /tmp.
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "dra-" + Guid.NewGuid().ToString("N")[..8]));
    private FakeDraKubelet _kubelet = null!;
    private FakeKubernetesApi _api = null!;
    private WebApplication _agent = null!;
    private HttpClient _http = null!;

    private string Registry => Path.Combine(_temp.FullName, "reg");

    private string Cdi => Path.Combine(_temp.FullName, "cdi");

    private string Plugin => Path.Combine(_temp.FullName, "plugin");

    public async Task InitializeAsync()
    {
        _kubelet = new FakeDraKubelet(Registry);
        _api = await FakeKubernetesApi.StartAsync(Node);
        _agent = NodeAgentApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:Count=2",
            "--DevicePlugin:Enabled=false",
            "--Dra:Enabled=true",
            $"--Dra:RegistryDirectory={Registry}",
            $"--Dra:PluginDirectory={Plugin}",
            $"--Dra:CdiDirectory={Cdi}",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
            $"--Kubernetes:Kubeconfig={_api.WriteKubeconfig(_temp.FullName)}",
            $"--Node:Name={Node}",
        ],
        services => services.AddSingleton(ClusterDetector.None));
        await _agent.StartAsync().DefaultTimeout();
        var address = _agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _agent.StopAsync().DefaultTimeout();
        await _agent.DisposeAsync();
        _kubelet.Dispose();
        await _api.DisposeAsync();
        _temp.Delete(recursive: true);
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
        Assert.Contains($"raygpu_dra_plugin_registered{{driver=\"{Driver}\"}} 1", await _http.GetStringAsync("/metrics").DefaultTimeout(), StringComparison.Ordinal);
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
        Assert.Contains($"raygpu_dra_plugin_registered{{driver=\"{Driver}\"}} 0", await _http.GetStringAsync("/metrics").DefaultTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrepareAndUnprepare_ThroughV1AndV1Beta1_AgreeAndCleanUp()
    {
        var registration = await _kubelet.NextRegistrationAsync();
        _api.PutClaim("ml", "worker-gpu", "9d1c5c7e-1111-4a4a-8c8c-000000000001", ("gpu", Driver, Node, "gpu-1"));
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
        Assert.Equal([$"nvidia.com/gpu={SimulatedGpuDriver.UuidFor(1)}", $"{Driver}/claim={claim.Uid}"], device.CdiDeviceIds);
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

    private async Task<string> DraReadinessAsync(bool withDetail = false)
    {
        using var response = await _http.GetAsync("/readyz").DefaultTimeout();
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        var dra = checks.EnumerateArray().Single(c => c.GetProperty("name").GetString() == $"dra-plugin {Driver}");
        var status = dra.GetProperty("status").GetString()!;
        return withDetail ? $"{status}: {dra.GetProperty("detail").GetString()}" : status;
    }
}
