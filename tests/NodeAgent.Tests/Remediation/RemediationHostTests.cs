using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Tests.Fakes;
using Xunit.Abstractions;

namespace Platform.NodeAgent.Tests.Remediation;

/// <summary>
/// The real agent host in evict mode: an XID injected into the simulated driver travels through the health
/// monitor, the pod-resources attribution, the remediation service and the Kubernetes API to an eviction.
/// </summary>
public sealed class RemediationHostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string NodeName = "gpu-node-1";
    private static readonly string Gpu0 = SimulatedGpuDriver.UuidFor(0);

    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "rh-" + Guid.NewGuid().ToString("N")[..8]));
    private readonly InMemoryRayGcs _ray = new();
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
        _api.AddPod("ml", "rc-gpu-worker-abcde", NodeName, "10.0.0.5", RemediationHarness.WorkerLabels);
        _podResources.SetPods(FakePodResources.Pod("ml", "rc-gpu-worker-abcde", "ray-worker", "nvidia.com/gpu", Gpu0));
        _ray.AddNode("rc-head-svc.ml.svc:6379", "10.0.0.5", "a1b2c3d4");

        _agent = NodeAgentApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:Count=2",
            "--Health:ProbeInterval=00:00:00.100",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
            $"--DevicePlugin:KubeletDirectory={_temp.FullName}",
            $"--Kubernetes:Kubeconfig={_api.WriteKubeconfig(_temp.FullName)}",
            $"--Node:Name={NodeName}",
            "--Remediation:Mode=Evict",
            "--Remediation:StatusPollInterval=00:00:00.100",
        ],
        services =>
        {
            services.AddSingleton(ClusterDetector.None);
            services.AddSingleton<IRayGcs>(_ray);
        });
        await _agent.StartAsync().DefaultTimeout();
        var address = _agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _agent.StopAsync().DefaultTimeout();
        await _agent.DisposeAsync();
        await _kubelet.DisposeAsync();
        await _podResources.DisposeAsync();
        await _api.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task Xid79_OnAWorkersGpu_DrainedThenEvicted_ReportedInMetrics()
    {
        var attribution = _agent.Services.GetRequiredService<PodAttributionRefresher>();
        while (true)
        {
            var next = attribution.NextRefresh;
            if (attribution.Attribution.ContainsKey(Gpu0))
            {
                break;
            }

            attribution.Trigger();
            await next.DefaultTimeout();
        }

        var clock = Stopwatch.StartNew();
        using (var xid = await _http.PostAsync("/simulator/xid?gpu=0&xid=79", null).DefaultTimeout())
        {
            xid.EnsureSuccessStatusCode();
        }

        var drain = await _ray.Drains.Reader.ReadAsync().AsTask().DefaultTimeout();
        var toDrain = clock.Elapsed;
        Assert.Equal("a1b2c3d4", drain.NodeId);

        // The raylet exits once its work moved: Ray reports the node DEAD and the pod is evicted.
        _ray.SetNode("rc-head-svc.ml.svc:6379", "10.0.0.5", RayNodeStatus.Dead, 0);
        await _api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        var toEviction = clock.Elapsed;

        // The eviction waits on Ray (set DEAD by hand here) and the next status poll: it measures the agent's side only.
        output.WriteLine($"XID 79 -> DrainNode: {toDrain.TotalMilliseconds:F1} ms; Ray DEAD -> eviction: {(toEviction - toDrain).TotalMilliseconds:F1} ms");
        Assert.Equal(1, _api.EvictionCount);
        Assert.True(toEviction >= toDrain, $"XID to DrainNode {toDrain.TotalMilliseconds:F0} ms, to eviction {toEviction.TotalMilliseconds:F0} ms");
        var metrics = await _http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("raygpu_remediations_total{action=\"drain\",result=\"succeeded\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("raygpu_remediations_total{action=\"evict\",result=\"succeeded\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("raygpu_remediation_eviction_seconds_count 1\n", metrics, StringComparison.Ordinal);
        var events = new List<string>();
        while (_api.PodEvents.Reader.TryRead(out var request))
        {
            events.Add((string)JsonNode.Parse(request.Body)!["reason"]!);
        }

        Assert.Equal(["GpuFault", "RayDrainRequested", "GpuEvicting"], events);
    }
}
