using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Kubernetes;

/// <summary>The KubernetesClient.Aot adapter over real HTTPS against the loopback fake API server.</summary>
public sealed class KubernetesApiTests : IAsyncLifetime
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("k8s");
    private FakeKubernetesApi _server = null!;
    private KubernetesConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesApi.StartAsync("gpu-node-1");
        var kubeconfig = _server.WriteKubeconfig(_temp.FullName);
        _connection = new KubernetesConnection(Options.Create(new KubernetesOptions { Kubeconfig = kubeconfig }), NullLogger<KubernetesConnection>.Instance);
    }

    public async Task DisposeAsync()
    {
        _connection.Dispose();
        await _server.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task PatchNode_MergePatch_AppliesAndDeletesLabels()
    {
        var api = _connection.Api!;

        await api.PatchNodeAsync("gpu-node-1", NodePatchBuilder.Labels(new SortedDictionary<string, string?> { ["nvidia.com/gpu.present"] = "true", ["kubernetes.io/hostname"] = null }), CancellationToken.None).DefaultTimeout();
        var node = await api.GetNodeAsync("gpu-node-1", CancellationToken.None).DefaultTimeout();
        var patch = await _server.NodePatches.Reader.ReadAsync().AsTask().DefaultTimeout();

        Assert.Equal("application/merge-patch+json", patch.ContentType?.Split(';')[0]);
        Assert.Equal("true", node.Labels["nvidia.com/gpu.present"]);
        Assert.False(node.Labels.ContainsKey("kubernetes.io/hostname"));
        Assert.Equal("2", node.ResourceVersion);
    }

    [Fact]
    public async Task CreateNodeEvent_PostsEventsV1RegardingTheNode()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        await _connection.Api!.CreateNodeEventAsync(new NodeEvent("gpu-node-1", "Warning", "GpuUnhealthy", "HealthCheck", "GPU 1: xid-79", at), CancellationToken.None).DefaultTimeout();
        var posted = await _server.Events.Reader.ReadAsync().AsTask().DefaultTimeout();

        var body = JsonNode.Parse(posted.Body)!;
        Assert.Equal("/apis/events.k8s.io/v1/namespaces/default/events", posted.Path);
        Assert.Equal("Node", (string?)body["regarding"]!["kind"]);
        Assert.Equal("gpu-node-1", (string?)body["regarding"]!["name"]);
        Assert.Equal(("Warning", "GpuUnhealthy", "GPU 1: xid-79"), ((string?)body["type"], (string?)body["reason"], (string?)body["note"]));
        Assert.Equal(KubernetesApi.ReportingController, (string?)body["reportingController"]);
    }

    [Fact]
    public async Task GetPodLabels_KnownAndMissingPods()
    {
        _server.Pods[("ml", "worker-1")] = new() { ["ray.io/cluster"] = "rc" };

        var labels = await _connection.Api!.GetPodLabelsAsync("ml", "worker-1", CancellationToken.None).DefaultTimeout();
        var missing = await _connection.Api.GetPodLabelsAsync("ml", "gone", CancellationToken.None).DefaultTimeout();

        Assert.Equal("rc", labels!["ray.io/cluster"]);
        Assert.Null(missing);
    }

    [Fact]
    public async Task Server_NotSignedByTheKubeconfigCa_IsRefused()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        using var otherCa = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=other-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        var directory = Directory.CreateDirectory(Path.Combine(_temp.FullName, "other"));
        using var connection = new KubernetesConnection(Options.Create(new KubernetesOptions { Kubeconfig = _server.WriteKubeconfig(directory.FullName, otherCa.ExportCertificatePem()) }), NullLogger<KubernetesConnection>.Instance);

        await Assert.ThrowsAsync<HttpRequestException>(() => connection.Api!.GetNodeAsync("gpu-node-1", CancellationToken.None)).DefaultTimeout();
        Assert.Equal(0, _server.NodePatches.Reader.Count);
    }

    [Fact]
    public void Connection_NoConfig_IsOffWithReason()
    {
        using var off = new KubernetesConnection(null, inCluster: false, NullLogger<KubernetesConnection>.Instance);
        Assert.Null(off.Api);
        Assert.Contains("KUBECONFIG", off.Unavailable, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_BrokenKubeconfig_IsOffWithReason()
    {
        var path = Path.Combine(_temp.FullName, "broken");
        File.WriteAllText(path, "apiVersion: v1\nkind: Config\ncurrent-context: missing\n");

        using var off = new KubernetesConnection(path, inCluster: false, NullLogger<KubernetesConnection>.Instance);

        Assert.Null(off.Api);
        Assert.Contains("could not be loaded", off.Unavailable, StringComparison.Ordinal);
    }
}
