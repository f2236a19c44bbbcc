using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Kubernetes;

/// <summary>Remediation's REST calls over real HTTPS against the loopback fake API server.</summary>
public sealed class KubernetesApiRemediationTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Labels = new() { ["ray.io/cluster"] = "rc", ["ray.io/node-type"] = "worker" };
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("k8s");
    private FakeKubernetesApi _server = null!;
    private KubernetesConnection _connection = null!;

    private IKubernetesApi Api => _connection.Api!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesApi.StartAsync("gpu-node-1");
        _server.AddPod("ml", "w-1", "gpu-node-1", "10.0.0.5", Labels, uid: "uid-1");
        _connection = new KubernetesConnection(Options.Create(new KubernetesOptions { Kubeconfig = _server.WriteKubeconfig(_temp.FullName) }), NullLogger<KubernetesConnection>.Instance);
    }

    public async Task DisposeAsync()
    {
        _connection.Dispose();
        await _server.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task GetPod_ReadsNodeIpLabelsAndOurConditionOnly()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Assert.True(await Api.PatchPodConditionAsync("ml", "w-1", new PodCondition("raygpu.io/GPUHealthy", "False", "GpuFaultDraining", "GPU GPU-1 on node gpu-node-1: xid-79 (x).", at), CancellationToken.None).DefaultTimeout());

        var pod = await Api.GetPodAsync("ml", "w-1", CancellationToken.None).DefaultTimeout();

        Assert.NotNull(pod);
        Assert.Equal(("uid-1", "gpu-node-1", "10.0.0.5", false), (pod.Uid, pod.NodeName, pod.PodIp, pod.Deleting));
        Assert.Equal("worker", pod.Labels["ray.io/node-type"]);
        Assert.Equal(new PodCondition("raygpu.io/GPUHealthy", "False", "GpuFaultDraining", "GPU GPU-1 on node gpu-node-1: xid-79 (x).", at), pod.GpuCondition);
        Assert.Null(await Api.GetPodAsync("ml", "nope", CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task PatchPodCondition_StrategicMergeOfStatus_KeepsOtherConditions()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await Api.PatchPodConditionAsync("ml", "w-1", new PodCondition("raygpu.io/GPUHealthy", "False", "GpuFaultAnnotated", "m1", at), CancellationToken.None).DefaultTimeout();
        await Api.PatchPodConditionAsync("ml", "w-1", new PodCondition("raygpu.io/GPUHealthy", "False", "GpuFaultEvicting", "m2", at), CancellationToken.None).DefaultTimeout();

        var patch = await _server.PodStatusPatches.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal("/api/v1/namespaces/ml/pods/w-1/status", patch.Path);
        Assert.Equal("application/strategic-merge-patch+json", patch.ContentType?.Split(';')[0]);
        Assert.Equal("2026-01-02T03:04:05Z", (string?)JsonNode.Parse(patch.Body)!["status"]!["conditions"]![0]!["lastTransitionTime"]);
        var conditions = _server.FullPod("ml", "w-1")!["status"]!["conditions"]!.AsArray();
        Assert.Equal(["Ready", "raygpu.io/GPUHealthy"], conditions.Select(c => (string?)c!["type"]));
        Assert.Equal("GpuFaultEvicting", (string?)conditions[1]!["reason"]);
        Assert.False(await Api.PatchPodConditionAsync("ml", "gone", new PodCondition("raygpu.io/GPUHealthy", "False", "GpuFaultAnnotated", "m", at), CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task EvictPod_201Evicted_429Refused_404Gone_WithUidPrecondition()
    {
        _server.PdbRefuses = true;
        var refused = await Api.EvictPodAsync("ml", "w-1", "uid-1", CancellationToken.None).DefaultTimeout();
        _server.PdbRefuses = false;
        var evicted = await Api.EvictPodAsync("ml", "w-1", "uid-1", CancellationToken.None).DefaultTimeout();
        var gone = await Api.EvictPodAsync("ml", "w-1", "uid-1", CancellationToken.None).DefaultTimeout();

        Assert.Equal(EvictionOutcome.Refused, refused.Outcome);
        Assert.Contains("disruption budget", refused.Message, StringComparison.Ordinal);
        Assert.Equal((EvictionOutcome.Evicted, EvictionOutcome.Gone), (evicted.Outcome, gone.Outcome));
        var request = await _server.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal(("policy/v1", "Eviction", "w-1", "ml", "uid-1"), ((string?)body["apiVersion"], (string?)body["kind"], (string?)body["metadata"]!["name"], (string?)body["metadata"]!["namespace"], (string?)body["deleteOptions"]!["preconditions"]!["uid"]));
        Assert.Equal(1, _server.EvictionCount);
    }

    [Fact]
    public async Task EvictPod_RecreatedPodUnderTheSameName_NotEvicted()
    {
        _server.AddPod("ml", "w-1", "gpu-node-1", "10.0.0.6", Labels, uid: "uid-2");

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => Api.EvictPodAsync("ml", "w-1", "uid-1", CancellationToken.None).DefaultTimeout());

        Assert.Equal(System.Net.HttpStatusCode.Conflict, error.Status);
        Assert.Equal(0, _server.EvictionCount);
    }

    [Fact]
    public async Task CreatePodEvent_RegardingThePodInItsNamespace_UniqueNames()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await Api.CreatePodEventAsync(new PodEvent("ml", "w-1", "uid-1", "Warning", "GpuFault", "Annotate", "note", at, "gpu-node-1"), CancellationToken.None).DefaultTimeout();
        await Api.CreatePodEventAsync(new PodEvent("ml", "w-1", "uid-1", "Warning", "GpuFault", "Annotate", new string('x', 2000), at, "gpu-node-1"), CancellationToken.None).DefaultTimeout();

        var first = JsonNode.Parse((await _server.PodEvents.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
        var second = JsonNode.Parse((await _server.PodEvents.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
        Assert.Equal(("ml", "Pod", "w-1", "uid-1", "GpuFault"), ((string?)first["metadata"]!["namespace"], (string?)first["regarding"]!["kind"], (string?)first["regarding"]!["name"], (string?)first["regarding"]!["uid"], (string?)first["reason"]));
        Assert.NotEqual((string?)first["metadata"]!["name"], (string?)second["metadata"]!["name"]);
        Assert.Equal(1024, ((string?)second["note"])!.Length);
    }

    [Fact]
    public async Task PodAndNodeEvents_OfOneAgent_NameTheSameReportingInstance_EndingInItsNode()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await Api.CreatePodEventAsync(new PodEvent("ml", "w-1", "uid-1", "Warning", "GpuFault", "Annotate", "note", at, "gpu-node-1"), CancellationToken.None).DefaultTimeout();
        await Api.CreateNodeEventAsync(new NodeEvent("gpu-node-1", "Warning", "GpuUnhealthy", "HealthCheck", "GPU 1: xid-79", at), CancellationToken.None).DefaultTimeout();

        var pod = JsonNode.Parse((await _server.PodEvents.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
        var node = JsonNode.Parse((await _server.Events.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
        Assert.EndsWith("-gpu-node-1", (string?)pod["reportingInstance"], StringComparison.Ordinal);
        Assert.Equal((string?)node["reportingInstance"], (string?)pod["reportingInstance"]);
        Assert.Equal((string?)node["reportingController"], (string?)pod["reportingController"]);
    }

    [Fact]
    public async Task NamespaceLabels_AndNodeMarks_AndTheSelectedNodeList()
    {
        _server.AddNamespace("ml", new Dictionary<string, string> { ["raygpu.io/remediation"] = "off" });
        _server.SetNodeLabel("nvidia.com/gpu.present", "true");
        _server.AddOtherNode("gpu-node-2", new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true" }, remediating: "GPU-2", degraded: true);
        _server.AddOtherNode("cpu-node-1", new Dictionary<string, string>());
        await Api.PatchNodeAsync("gpu-node-1", """{"metadata":{"annotations":{"raygpu.io/remediating":"GPU-1"}}}""", CancellationToken.None).DefaultTimeout();

        var labels = await Api.GetNamespaceLabelsAsync("ml", CancellationToken.None).DefaultTimeout();
        var self = await Api.GetNodeMarksAsync("gpu-node-1", CancellationToken.None).DefaultTimeout();
        var nodes = await Api.ListNodeMarksAsync("nvidia.com/gpu.present=true", CancellationToken.None).DefaultTimeout();

        Assert.Equal("off", labels!["raygpu.io/remediation"]);
        Assert.Equal(("gpu-node-1", "GPU-1", false), (self.Name, self.Remediating, self.Degraded));
        Assert.Equal([("gpu-node-1", "GPU-1", false), ("gpu-node-2", "GPU-2", true)], nodes.Select(n => (n.Name, n.Remediating, n.Degraded)));
    }
}
