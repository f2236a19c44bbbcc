using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Hosting;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;
using V1Beta1;

namespace Platform.NodeAgent.Tests.Hosting;

/// <summary>
/// The real agent host with the simulated driver, against the device-plugin library's fake kubelet (real
/// gRPC over Unix sockets), a fake pod-resources API on a Unix socket and a loopback HTTPS Kubernetes API.
/// </summary>
public sealed class NodeAgentHostTests : IAsyncLifetime
{
    private const string NodeName = "gpu-node-1";
    private static readonly string Gpu0 = SimulatedGpuDriver.UuidFor(0);
    private static readonly string Gpu1 = SimulatedGpuDriver.UuidFor(1);

    // Unix socket paths must stay under 108 bytes: a short directory straight under /tmp.
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "na-" + Guid.NewGuid().ToString("N")[..8]));
    private FakeKubelet _kubelet = null!;
    private FakePodResources _podResources = null!;
    private FakeKubernetesApi _api = null!;
    private WebApplication _agent = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _kubelet = await FakeKubelet.StartAsync(_temp.FullName);
        _podResources = await FakePodResources.StartAsync(Path.Combine(_temp.FullName, "pod-resources.sock"));
        _api = await FakeKubernetesApi.StartAsync(NodeName);
        _api.Pods[("ml", "rc-gpu-worker-abcde")] = new() { ["ray.io/cluster"] = "rc", ["ray.io/group"] = "gpu", ["ray.io/node-type"] = "worker" };

        _agent = NodeAgentApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:Count=2",
            "--Gpu:Simulated:Product=NVIDIA A10G",
            "--Health:ProbeInterval=00:00:00.100",
            "--Metrics:SampleInterval=00:00:00.100",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
            $"--DevicePlugin:KubeletDirectory={_temp.FullName}",
            $"--Kubernetes:Kubeconfig={_api.WriteKubeconfig(_temp.FullName)}",
            $"--Node:Name={NodeName}",
            "--Node:Taints:0=ray.io/node-type=worker:NoSchedule",
        ],
        // The test runner may be a pod itself (DECISIONS 5): the simulated driver is for a laptop here.
        services => services.AddSingleton(ClusterDetector.None));
        await _agent.StartAsync().DefaultTimeout();
        var address = _agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _kubelet.DisposeAsync();
        await _podResources.DisposeAsync();
        await _api.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task Agent_RegistersAllocatesRecoversLabelsAndAttributes()
    {
        // Registration: the kubelet dials back and receives both simulated GPUs, healthy.
        var plugin = await _kubelet.NextRegistrationAsync().DefaultTimeout();
        Assert.Equal("nvidia.com/gpu", plugin.Request.ResourceName);
        var first = await plugin.ListMatchingAsync(l => l.Devices.Count == 2 && l.Devices.All(d => d.Health == "Healthy")).DefaultTimeout();
        Assert.Equal([Gpu0, Gpu1], first.Devices.Select(d => d.ID).Order(StringComparer.Ordinal));

        // Allocation, with the pod-resources API already reporting the pod that gets the GPU.
        var attribution = _agent.Services.GetRequiredService<PodAttributionRefresher>();
        _podResources.SetPods(FakePodResources.Pod("ml", "rc-gpu-worker-abcde", "ray-worker", "nvidia.com/gpu", Gpu0));
        var request = new AllocateRequest();
        request.ContainerRequests.Add(new ContainerAllocateRequest { DevicesIds = { Gpu0 } });
        var allocated = await plugin.Client.AllocateAsync(request).ResponseAsync.DefaultTimeout();
        Assert.Equal(Gpu0, allocated.ContainerResponses[0].Envs["NVIDIA_VISIBLE_DEVICES"]);
        while (true)
        {
            // Take the next-refresh signal before looking, so a refresh finishing in between is not missed.
            var next = attribution.NextRefresh;
            if (attribution.Attribution.ContainsKey(Gpu0))
            {
                break;
            }

            await next.DefaultTimeout();
        }

        // Metrics: dcgm names, attributed to the pod and its Ray cluster; allocation counted.
        var metrics = await _http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains($"UUID=\"{Gpu0}\"", metrics, StringComparison.Ordinal);
        Assert.Matches($"DCGM_FI_DEV_GPU_UTIL\\{{gpu=\"0\",UUID=\"{Gpu0}\".*namespace=\"ml\",pod=\"rc-gpu-worker-abcde\",ray_cluster=\"rc\",ray_group=\"gpu\"\\}} \\d+", metrics);
        Assert.Contains("raygpu_allocations_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("raygpu_registrations_total 1", metrics, StringComparison.Ordinal);

        // Found and advertised side by side under the default MIG strategy (none) too: the not-advertised alert needs both.
        Assert.Contains("raygpu_found_devices{resource=\"nvidia.com/gpu\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("raygpu_advertised_gpus{resource=\"nvidia.com/gpu\"} 2\n", metrics, StringComparison.Ordinal);

        // XID 79 → unhealthy on the stream → GPU reset → healthy again on the stream.
        using (var xid = await _http.PostAsync("/simulator/xid?gpu=1&xid=79", null).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, xid.StatusCode);
        }

        await plugin.ListMatchingAsync(l => l.Devices.Single(d => d.ID == Gpu1).Health == "Unhealthy").DefaultTimeout();
        using (var reset = await _http.PostAsync("/simulator/reset?gpu=1", null).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        await plugin.ListMatchingAsync(l => l.Devices.Single(d => d.ID == Gpu1).Health == "Healthy").DefaultTimeout();

        // Both transitions became Node Events.
        var unhealthyEvent = JsonNode.Parse((await _api.Events.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
        var healthyEvent = JsonNode.Parse((await _api.Events.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
        Assert.Equal(("Warning", "GpuUnhealthy", NodeName), ((string?)unhealthyEvent["type"], (string?)unhealthyEvent["reason"], (string?)unhealthyEvent["regarding"]!["name"]));
        Assert.Contains("xid-79", (string?)unhealthyEvent["note"], StringComparison.Ordinal);
        Assert.Equal(("Normal", "GpuHealthy"), ((string?)healthyEvent["type"], (string?)healthyEvent["reason"]));

        // Node labels and the taint were patched.
        await _api.NodePatches.Reader.ReadAsync().AsTask().DefaultTimeout();
        await _api.NodePatches.Reader.ReadAsync().AsTask().DefaultTimeout();
        var node = _api.Node;
        Assert.Equal("true", (string?)node["metadata"]!["labels"]!["nvidia.com/gpu.present"]);
        Assert.Equal("2", (string?)node["metadata"]!["labels"]!["nvidia.com/gpu.count"]);
        Assert.Equal("NVIDIA-A10G", (string?)node["metadata"]!["labels"]!["nvidia.com/gpu.product"]);
        Assert.Equal("true", (string?)node["metadata"]!["labels"]!["raygpu.io/simulated"]);
        Assert.Equal("ray.io/node-type", (string?)node["spec"]!["taints"]![0]!["key"]);

        // Metrics counted the transitions by reason.
        metrics = await _http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("raygpu_health_transitions_total{reason=\"xid-79\",to=\"unhealthy\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("raygpu_health_transitions_total{reason=\"recovered-after-reset\",to=\"healthy\"} 1", metrics, StringComparison.Ordinal);

        // Ready, with every check explained.
        using var ready = await _http.GetAsync("/readyz").DefaultTimeout();
        var readiness = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (string?)readiness["status"]);

        // Once ready, the start-up garbage was collected and handed back to the OS.
        var released = await _agent.Services.GetRequiredService<MemoryRelease>().FirstRelease.DefaultTimeout();
        Assert.True(released.Ready);

        // Graceful shutdown: streams closed, our socket removed.
        var socket = Path.Combine(_temp.FullName, plugin.Request.Endpoint);
        Assert.True(File.Exists(socket));
        await _agent.StopAsync().DefaultTimeout();
        await _agent.DisposeAsync();
        await plugin.StreamEnded.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.False(File.Exists(socket));
    }

    [Fact]
    public async Task Simulator_BadQuery_ExplainsTheParameter()
    {
        using var response = await _http.PostAsync("/simulator/xid?gpu=9&xid=79", null).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("from 0 to 1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await _agent.StopAsync().DefaultTimeout();
        await _agent.DisposeAsync();
    }
}
