using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Platform.NodeAgent.Dra.Slices;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;
using V1;

namespace Platform.NodeAgent.Tests.Hosting;

/// <summary>
/// The real agent host in DRA mode with the simulated driver: ResourceSlices on the loopback HTTPS fake API
/// server follow XID and reset, metrics report the driver's resource, and GPUs held through claims (the
/// pod-resources API's dynamic resources, on a real Unix socket) are attributed to their pod and Ray cluster.
/// </summary>
public sealed class DraAgentHostTests : IAsyncLifetime
{
    private const string NodeName = "gpu-node-1";
    private const string Driver = "gpu.raygpu.io";
    private static readonly string Gpu0 = SimulatedGpuDriver.UuidFor(0);

    // Unix socket paths must stay under 108 bytes: a short directory straight under /tmp.
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "dra-" + Guid.NewGuid().ToString("N")[..8]));
    private FakePodResources _podResources = null!;
    private FakeKubernetesApi _api = null!;
    private WebApplication _agent = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _podResources = await FakePodResources.StartAsync(Path.Combine(_temp.FullName, "pod-resources.sock"));
        _api = await FakeKubernetesApi.StartAsync(NodeName);
        _api.Pods[("ml", "rc-gpu-worker-abcde")] = new() { ["ray.io/cluster"] = "rc", ["ray.io/group"] = "gpu" };
        _agent = NodeAgentApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:Count=2",
            "--Health:ProbeInterval=00:00:00.100",
            "--Metrics:SampleInterval=00:00:00.100",
            "--Metrics:AttributionRefreshInterval=00:00:01",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
            "--DevicePlugin:Enabled=false",
            $"--DevicePlugin:KubeletDirectory={Path.Combine(_temp.FullName, "device-plugins")}",
            "--Dra:Enabled=true",
            $"--Dra:RegistryDirectory={Path.Combine(_temp.FullName, "registry")}",
            $"--Dra:PluginDirectory={Path.Combine(_temp.FullName, "plugin")}",
            $"--Dra:CdiDirectory={Path.Combine(_temp.FullName, "cdi")}",
            $"--Kubernetes:Kubeconfig={_api.WriteKubeconfig(_temp.FullName)}",
            $"--Node:Name={NodeName}",
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
        await _podResources.DisposeAsync();
        await _api.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    private IEnumerable<string?> PublishedDevices() =>
        _api.ResourceSlices.Values.Single()["spec"]!["devices"]!.AsArray().Select(d => (string?)d!["name"]);

    private async Task SimulateAsync(string path)
    {
        using var response = await _http.PostAsync(path, null).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task DraMode_SlicesFollowHealth_MetricsNameTheDriver_ClaimsAreAttributed()
    {
        var publisher = _agent.Services.GetRequiredService<ResourceSlicePublisher>();
        await publisher.FirstPass.DefaultTimeout();
        Assert.Equal(["gpu-0", "gpu-1"], PublishedDevices());

        // XID 79 on GPU 1: withdrawn from the pool; the reset brings it back, without a restart.
        var next = publisher.NextPublish;
        await SimulateAsync("/simulator/xid?gpu=1&xid=79");
        await next.DefaultTimeout();
        Assert.Equal(["gpu-0"], PublishedDevices());

        var metrics = await _http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains($"raygpu_found_devices{{resource=\"{Driver}\"}} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"raygpu_advertised_gpus{{resource=\"{Driver}\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("resource=\"nvidia.com/gpu\"", metrics, StringComparison.Ordinal);

        next = publisher.NextPublish;
        await SimulateAsync("/simulator/reset?gpu=1");
        await next.DefaultTimeout();
        Assert.Equal(["gpu-0", "gpu-1"], PublishedDevices());
        Assert.Equal(3, (long)_api.ResourceSlices.Values.Single()["spec"]!["pool"]!["generation"]!);

        // A pod holding GPU 0 through a claim: attributed like a device-plugin pod.
        var claim = new DynamicResource { ClaimName = "rc-gpu-worker-abcde-gpu", ClaimNamespace = "ml" };
        claim.ClaimResources.Add(new ClaimResource { DriverName = Driver, PoolName = NodeName, DeviceName = "gpu-0" });
        var container = new ContainerResources { Name = "ray-worker" };
        container.DynamicResources.Add(claim);
        var pod = new PodResources { Namespace = "ml", Name = "rc-gpu-worker-abcde" };
        pod.Containers.Add(container);
        _podResources.SetPods(pod);
        var attribution = _agent.Services.GetRequiredService<PodAttributionRefresher>();
        while (true)
        {
            var refreshed = attribution.NextRefresh;
            if (attribution.Attribution.ContainsKey(Gpu0))
            {
                break;
            }

            await refreshed.DefaultTimeout();
        }

        metrics = await _http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Matches($"DCGM_FI_DEV_GPU_UTIL\\{{gpu=\"0\",UUID=\"{Gpu0}\".*namespace=\"ml\",pod=\"rc-gpu-worker-abcde\",ray_cluster=\"rc\",ray_group=\"gpu\"\\}} \\d+", metrics);

        // Readiness names the slices; the device plugin is off by configuration.
        using var ready = await _http.GetAsync("/readyz").DefaultTimeout();
        var checks = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]!.AsArray()
            .ToDictionary(c => (string)c!["name"]!, c => (string)c!["detail"]!);
        Assert.Equal("the node's pool is published at generation 3", checks["dra-resource-slices"]);
        Assert.Equal("DevicePlugin:Enabled is false", checks["device-plugin"]);

        // The device plugin never served: its socket (made before registering, long before now) is absent.
        Assert.False(File.Exists(Path.Combine(_temp.FullName, "device-plugins", "nvidia-gpu.sock")));
        Assert.DoesNotContain("raygpu_registrations_total 1", metrics, StringComparison.Ordinal);
    }
}
