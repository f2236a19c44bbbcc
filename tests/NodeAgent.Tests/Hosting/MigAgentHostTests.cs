using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;
using V1Beta1;

namespace Platform.NodeAgent.Tests.Hosting;

/// <summary>
/// The real agent host on simulated MIG GPUs under each strategy, against the fake kubelet (real gRPC
/// over Unix sockets), a fake pod-resources API and a loopback HTTPS Kubernetes API.
/// </summary>
public sealed class MigAgentHostTests : IAsyncLifetime
{
    private const string NodeName = "mig-node-1";
    private const string Small = "nvidia.com/mig-1g.10gb";
    private const string Large = "nvidia.com/mig-3g.40gb";

    // Unix socket paths must stay under 108 bytes: a short directory straight under /tmp.
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "mig-" + Guid.NewGuid().ToString("N")[..8]));
    private FakeKubelet _kubelet = null!;
    private FakePodResources _podResources = null!;
    private FakeKubernetesApi _api = null!;
    private WebApplication? _agent;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _kubelet = await FakeKubelet.StartAsync(_temp.FullName);
        _podResources = await FakePodResources.StartAsync(Path.Combine(_temp.FullName, "pod-resources.sock"));
        _api = await FakeKubernetesApi.StartAsync(NodeName);
        _api.Pods[("ml", "rc-small-worker-x1")] = new() { ["ray.io/cluster"] = "rc", ["ray.io/group"] = "small" };
    }

    private async Task StartAgentAsync(string strategy, string profiles, string product = "NVIDIA A100-SXM4-80GB")
    {
        _agent = NodeAgentApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:AllowInCluster=true",
            "--Gpu:Simulated:Count=2",
            $"--Gpu:Simulated:Product={product}",
            "--Gpu:Simulated:MemoryMiB=81920",
            $"--Gpu:Simulated:MigProfiles={profiles}",
            $"--Mig:Strategy={strategy}",
            "--Health:ProbeInterval=00:00:00.100",
            "--Metrics:SampleInterval=00:00:00.100",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
            $"--DevicePlugin:KubeletDirectory={_temp.FullName}",
            $"--Kubernetes:Kubeconfig={_api.WriteKubeconfig(_temp.FullName)}",
            $"--Node:Name={NodeName}",
        ]);
        await _agent.StartAsync().DefaultTimeout();
        var address = _agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            _http.Dispose();
            await _agent.StopAsync().DefaultTimeout();
            await _agent.DisposeAsync();
        }

        await _kubelet.DisposeAsync();
        await _podResources.DisposeAsync();
        await _api.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    private async Task<Dictionary<string, PluginConnection>> RegistrationsAsync(int count)
    {
        var connections = new Dictionary<string, PluginConnection>();
        for (var i = 0; i < count; i++)
        {
            var connection = await _kubelet.NextRegistrationAsync().DefaultTimeout();
            connections[connection.Request.ResourceName] = connection;
        }

        return connections;
    }

    private static string Mig(int gpu, int index) => SimulatedMig.UuidFor(gpu, index);

    private async Task<JsonObject> LabelsAsync(Func<JsonObject, bool> until)
    {
        while (true)
        {
            await _api.NodePatches.Reader.ReadAsync().AsTask().DefaultTimeout();
            var labels = _api.Node["metadata"]!["labels"]!.AsObject();
            if (until(labels))
            {
                return labels;
            }
        }
    }

    private async Task<Dictionary<string, (string Status, string Detail)>> ReadinessAsync()
    {
        using var ready = await _http.GetAsync("/readyz").DefaultTimeout();
        var readiness = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        return readiness["checks"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => ((string)c!["status"]!, (string)c["detail"]!));
    }

    [Fact]
    public async Task Mixed_RegistersPerProfile_AllocatesHealthLabelsAndMetrics()
    {
        await StartAgentAsync("mixed", "1g.10gb,1g.10gb,3g.40gb");

        // One registration and socket per profile, plus nvidia.com/gpu (no whole GPU left to advertise).
        var plugins = await RegistrationsAsync(3);
        Assert.Equal(["nvidia.com/gpu", Small, Large], plugins.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("nvidia-mig-1g.10gb.sock", plugins[Small].Request.Endpoint);
        var small = await plugins[Small].ListMatchingAsync(l => l.Devices.Count == 4).DefaultTimeout();
        var large = await plugins[Large].ListMatchingAsync(l => l.Devices.Count == 2).DefaultTimeout();
        var whole = await plugins["nvidia.com/gpu"].NextListAsync().DefaultTimeout();
        Assert.Equal([Mig(0, 0), Mig(0, 1), Mig(1, 0), Mig(1, 1)], small.Devices.Select(d => d.ID));
        Assert.Equal([Mig(0, 2), Mig(1, 2)], large.Devices.Select(d => d.ID));
        Assert.Empty(whole.Devices);

        // Allocation hands the container its MIG UUID.
        var request = new AllocateRequest();
        request.ContainerRequests.Add(new ContainerAllocateRequest { DevicesIds = { Mig(0, 1) } });
        var allocated = await plugins[Small].Client.AllocateAsync(request).ResponseAsync.DefaultTimeout();
        Assert.Equal(Mig(0, 1), allocated.ContainerResponses[0].Envs["NVIDIA_VISIBLE_DEVICES"]);

        // An XID in GPU instance 2 of GPU 0 (the second 1g.10gb) faults that instance only.
        using (var xid = await _http.PostAsync("/simulator/xid?gpu=0&xid=94&gi=2", null).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, xid.StatusCode);
        }

        var instanceFault = await plugins[Small].ListMatchingAsync(l => l.Devices.Any(d => d.Health == "Unhealthy")).DefaultTimeout();
        Assert.Equal([Mig(0, 1)], instanceFault.Devices.Where(d => d.Health == "Unhealthy").Select(d => d.ID));

        // The parent falls off the bus: every instance of GPU 0 goes, in both resources; a reset brings all back.
        using (await _http.PostAsync("/simulator/lose?gpu=0", null).DefaultTimeout())
        {
        }

        await plugins[Large].ListMatchingAsync(l => l.Devices.Single(d => d.ID == Mig(0, 2)).Health == "Unhealthy").DefaultTimeout();
        var parentFault = await plugins[Small].ListMatchingAsync(l => l.Devices.Count(d => d.Health == "Unhealthy") == 2).DefaultTimeout();
        Assert.Equal([Mig(0, 0), Mig(0, 1)], parentFault.Devices.Where(d => d.Health == "Unhealthy").Select(d => d.ID));
        using (await _http.PostAsync("/simulator/reset?gpu=0", null).DefaultTimeout())
        {
        }

        await plugins[Small].ListMatchingAsync(l => l.Devices.All(d => d.Health == "Healthy")).DefaultTimeout();
        await plugins[Large].ListMatchingAsync(l => l.Devices.All(d => d.Health == "Healthy")).DefaultTimeout();

        // Labels as GFD's mixed strategy sets them.
        var labels = await LabelsAsync(l => l.ContainsKey("nvidia.com/mig-3g.40gb.count"));
        Assert.Equal(("mixed", "true"), ((string?)labels["nvidia.com/mig.strategy"], (string?)labels["nvidia.com/mig.capable"]));
        Assert.Equal(("4", "2"), ((string?)labels["nvidia.com/mig-1g.10gb.count"], (string?)labels["nvidia.com/mig-3g.40gb.count"]));

        // Per-instance metrics with dcgm-exporter's labels, attributed to the pod through pod-resources.
        var attribution = _agent!.Services.GetRequiredService<PodAttributionRefresher>();
        _podResources.SetPods(FakePodResources.Pod("ml", "rc-small-worker-x1", "ray-worker", Small, Mig(0, 1)));
        while (true)
        {
            var next = attribution.NextRefresh;
            attribution.Trigger();
            if (attribution.Attribution.ContainsKey(Mig(0, 1)))
            {
                break;
            }

            await next.DefaultTimeout();
        }

        var metrics = await _http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Matches("DCGM_FI_DEV_FB_USED\\{gpu=\"0\",UUID=\"GPU-[^\"]+\",.*GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"2\",Hostname=\"mig-node-1\",container=\"ray-worker\",namespace=\"ml\",pod=\"rc-small-worker-x1\",ray_cluster=\"rc\",ray_group=\"small\"\\} \\d+", metrics);
        Assert.Matches("DCGM_FI_DEV_FB_FREE\\{gpu=\"1\",.*GPU_I_PROFILE=\"3g.40gb\",GPU_I_ID=\"3\",", metrics);
        Assert.Contains("raygpu_found_devices{resource=\"nvidia.com/mig-1g.10gb\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("raygpu_found_devices{resource=\"nvidia.com/mig-3g.40gb\"} 2", metrics, StringComparison.Ordinal);

        var checks = await ReadinessAsync();
        Assert.Equal("ok", checks["mig"].Status);
        Assert.Contains("strategy mixed: 6 MIG devices advertised", checks["mig"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Single_OneProfile_MigDevicesAsNvidiaGpu()
    {
        await StartAgentAsync("single", "3g.40gb,3g.40gb");

        var plugin = (await RegistrationsAsync(1))["nvidia.com/gpu"];
        var list = await plugin.ListMatchingAsync(l => l.Devices.Count == 4).DefaultTimeout();
        var request = new AllocateRequest();
        request.ContainerRequests.Add(new ContainerAllocateRequest { DevicesIds = { Mig(1, 0), Mig(1, 1) } });
        var allocated = await plugin.Client.AllocateAsync(request).ResponseAsync.DefaultTimeout();
        var labels = await LabelsAsync(l => l.ContainsKey("nvidia.com/mig.strategy"));

        Assert.Equal([Mig(0, 0), Mig(0, 1), Mig(1, 0), Mig(1, 1)], list.Devices.Select(d => d.ID));
        Assert.Equal($"{Mig(1, 0)},{Mig(1, 1)}", allocated.ContainerResponses[0].Envs["NVIDIA_VISIBLE_DEVICES"]);
        Assert.Equal("NVIDIA-A100-SXM4-80GB-MIG-3g.40gb", (string?)labels["nvidia.com/gpu.product"]);
        Assert.Equal("4", (string?)labels["nvidia.com/gpu.count"]);
        Assert.Equal("3", (string?)labels["nvidia.com/gpu.slices.gi"]);
    }

    [Fact]
    public async Task Single_MixedProfiles_AdvertisesNothingAndReportsIt()
    {
        await StartAgentAsync("single", "1g.10gb,3g.40gb");

        var plugin = (await RegistrationsAsync(1))["nvidia.com/gpu"];
        var list = await plugin.NextListAsync().DefaultTimeout();
        var nodeEvent = JsonNode.Parse((await _api.Events.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
        using var ready = await _http.GetAsync("/readyz").DefaultTimeout();
        var checks = await ReadinessAsync();

        var metrics = await _http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("raygpu_found_devices{resource=\"nvidia.com/gpu\"} 4", metrics, StringComparison.Ordinal);
        Assert.Empty(list.Devices);
        Assert.Equal(("Warning", "MigLayoutInvalid"), ((string?)nodeEvent["type"], (string?)nodeEvent["reason"]));
        Assert.Contains("found 1g.10gb, 3g.40gb", (string?)nodeEvent["note"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("failing", checks["mig"].Status);
        Assert.Contains("nothing is advertised", checks["mig"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task None_MigEnabled_WholeGpusAsToday()
    {
        await StartAgentAsync("none", "1g.10gb");

        var plugin = (await RegistrationsAsync(1))["nvidia.com/gpu"];
        var list = await plugin.ListMatchingAsync(l => l.Devices.Count == 2).DefaultTimeout();

        Assert.Equal([SimulatedGpuDriver.UuidFor(0), SimulatedGpuDriver.UuidFor(1)], list.Devices.Select(d => d.ID));
    }

    [Fact]
    public async Task Mixed_MigDisabledProduct_WholeGpusAndCapabilityFalse()
    {
        await StartAgentAsync("mixed", string.Empty, product: "NVIDIA A10G");

        var plugin = (await RegistrationsAsync(1))["nvidia.com/gpu"];
        var list = await plugin.ListMatchingAsync(l => l.Devices.Count == 2).DefaultTimeout();
        var labels = await LabelsAsync(l => l.ContainsKey("nvidia.com/mig.capable"));

        Assert.All(list.Devices, d => Assert.StartsWith("GPU-", d.ID, StringComparison.Ordinal));
        Assert.Equal(("false", "mixed"), ((string?)labels["nvidia.com/mig.capable"], (string?)labels["nvidia.com/mig.strategy"]));
    }

    [Fact]
    public async Task Simulator_BadGpuInstance_ExplainsTheParameter()
    {
        await StartAgentAsync("mixed", "1g.10gb");

        using var response = await _http.PostAsync("/simulator/xid?gpu=0&xid=94&gi=-1", null).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'gi' must be a GPU instance id", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
