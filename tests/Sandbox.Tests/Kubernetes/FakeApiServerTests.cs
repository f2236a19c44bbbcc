using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Platform.Sandbox.Kubernetes;
using Platform.Sandbox.Tests.TestSupport;
using Platform.Sandbox.Tls;

namespace Platform.Sandbox.Tests.Kubernetes;

/// <summary>The fake API server's remediation routes over real HTTPS on loopback, as the agent calls them.</summary>
public sealed class FakeApiServerTests : IAsyncLifetime
{
    private const string Node = "gpu-node";
    private readonly LoopbackCertificate _certificate = LoopbackCertificate.Create("fake-api-test");
    private FakeApiServer _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync(Node, _certificate, CancellationToken.None).DefaultTimeout();
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => _certificate.Trusts(presented) },
        })
        {
            BaseAddress = new Uri(_api.Url),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _api.Token);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task AddPod_IsBoundToTheNodeWithAnIpAndRunning()
    {
        var ip = _api.AddPod(Pod("ml", "worker-a"));

        var pod = await GetJsonAsync("/api/v1/namespaces/ml/pods/worker-a");

        Assert.StartsWith("10.244.1.", ip, StringComparison.Ordinal);
        Assert.Equal(ip, pod["status"]!["podIP"]!.ToString());
        Assert.Equal(Node, pod["spec"]!["nodeName"]!.ToString());
        Assert.Equal("Running", pod["status"]!["phase"]!.ToString());
        Assert.NotEqual(ip, _api.AddPod(Pod("ml", "worker-b")));
    }

    [Fact]
    public async Task PatchStatus_StrategicMerge_KeepsOtherConditionsAndRecordsEachChange()
    {
        _ = _api.AddPod(Pod("ml", "worker-a"));

        Assert.Equal(HttpStatusCode.OK, (await PatchStatusAsync("worker-a", "GpuFaultAnnotated")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PatchStatusAsync("worker-a", "GpuFaultDraining")).StatusCode);

        var conditions = (await GetJsonAsync("/api/v1/namespaces/ml/pods/worker-a"))["status"]!["conditions"]!.AsArray();
        Assert.Equal(["Ready", "raygpu.io/GPUHealthy"], conditions.Select(c => c!["type"]!.ToString()));
        Assert.Equal("GpuFaultDraining", conditions[1]!["reason"]!.ToString());
        Assert.Equal(["GpuFaultAnnotated", "GpuFaultDraining"], _api.ConditionChanges().Select(c => c.Reason));
        Assert.All(_api.ConditionChanges(), c => Assert.Equal("2026-01-02T03:04:05Z", c.LastTransitionTime));
    }

    [Fact]
    public async Task PatchStatus_AbsentPodOrJsonPatch_IsRefused()
    {
        _ = _api.AddPod(Pod("ml", "worker-a"));

        Assert.Equal(HttpStatusCode.NotFound, (await PatchStatusAsync("gone", "GpuFaultAnnotated")).StatusCode);
        using var jsonPatch = new StringContent("""[{"op":"add","path":"/status/x","value":1}]""", Encoding.UTF8, "application/json-patch+json");
        using var refused = await _http.PatchAsync(new Uri("/api/v1/namespaces/ml/pods/worker-a/status", UriKind.Relative), jsonPatch).DefaultTimeout();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Empty(_api.ConditionChanges());
    }

    [Fact]
    public async Task Evict_DeletesThePodOnceThenAnswers404()
    {
        _ = _api.AddPod(Pod("ml", "worker-a"));
        var evicted = new List<string>();
        _api.PodEvicted += pod => evicted.Add(pod["metadata"]!["name"]!.ToString());

        using var first = await EvictAsync("worker-a");
        using var second = await EvictAsync("worker-a");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Null(_api.Pod("ml", "worker-a"));
        Assert.Equal(["worker-a"], evicted);
        Assert.Equal([201, 404], _api.Evictions().Select(e => e.Code));
    }

    [Fact]
    public async Task Evict_UidOfAnEarlierPod_Answers409AndKeepsThePod()
    {
        _ = _api.AddPod(Pod("ml", "worker-a"));
        using var content = new StringContent("""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"worker-a","namespace":"ml"},"deleteOptions":{"preconditions":{"uid":"not-this-pod"}}}""", Encoding.UTF8, "application/json");

        using var response = await _http.PostAsync(new Uri("/api/v1/namespaces/ml/pods/worker-a/eviction", UriKind.Relative), content).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.NotNull(_api.Pod("ml", "worker-a"));
    }

    [Fact]
    public async Task Evict_WhileABudgetRefuses_Answers429AndKeepsThePod()
    {
        _ = _api.AddPod(Pod("ml", "worker-a"));
        _api.RefuseEvictions(1);

        using var refused = await EvictAsync("worker-a");
        using var done = await EvictAsync("worker-a");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("disruption budget", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal([429, 201], _api.Evictions().Select(e => e.Code));
    }

    [Fact]
    public async Task Events_CoreAndEventsApi_RecordedWithWhatTheyAreAbout()
    {
        await PostAsync("/apis/events.k8s.io/v1/namespaces/ml/events", """{"type":"Warning","reason":"GpuFault","note":"XID 79","regarding":{"kind":"Pod","namespace":"ml","name":"worker-a"}}""");
        await PostAsync("/api/v1/namespaces/ml/events", """{"type":"Normal","reason":"GpuEvicting","message":"evicting","involvedObject":{"kind":"Pod","namespace":"ml","name":"worker-a"}}""");

        Assert.Equal(
            [("Pod", "ml", "worker-a", "Warning", "GpuFault", "XID 79"), ("Pod", "ml", "worker-a", "Normal", "GpuEvicting", "evicting")],
            _api.Events().Select(e => (e.Kind, e.Namespace, e.Name, e.Type, e.Reason, e.Note)));
    }

    [Fact]
    public async Task ListNodes_BySelector_ReturnsTheNodeOnlyWhenItMatches()
    {
        using var label = new StringContent("""{"metadata":{"labels":{"nvidia.com/gpu.present":"true"}}}""", Encoding.UTF8, "application/merge-patch+json");
        (await _http.PatchAsync(new Uri($"/api/v1/nodes/{Node}", UriKind.Relative), label).DefaultTimeout()).EnsureSuccessStatusCode();

        var matching = await GetJsonAsync("/api/v1/nodes?labelSelector=" + Uri.EscapeDataString("nvidia.com/gpu.present=true"));
        var other = await GetJsonAsync("/api/v1/nodes?labelSelector=" + Uri.EscapeDataString("nvidia.com/gpu.present=false"));

        Assert.Equal("NodeList", matching["kind"]!.ToString());
        Assert.Equal(Node, Assert.Single(matching["items"]!.AsArray())!["metadata"]!["name"]!.ToString());
        Assert.Empty(other["items"]!.AsArray());
    }

    [Fact]
    public async Task GetNamespace_ShowsTheLabelsSet()
    {
        _api.SetNamespaceLabels("ml", new Dictionary<string, string> { ["raygpu.io/remediation"] = "annotate" });

        var ns = await GetJsonAsync("/api/v1/namespaces/ml");

        Assert.Equal("annotate", ns["metadata"]!["labels"]!["raygpu.io/remediation"]!.ToString());
    }

    [Fact]
    public async Task AnyRoute_WithoutTheToken_Is401()
    {
        using var anonymous = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => _certificate.Trusts(c) } }) { BaseAddress = new Uri(_api.Url) };

        using var response = await anonymous.GetAsync(new Uri("/api/v1/namespaces/ml", UriKind.Relative)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static JsonObject Pod(string @namespace, string name) => new()
    {
        ["metadata"] = new JsonObject { ["namespace"] = @namespace, ["name"] = name, ["labels"] = new JsonObject { ["ray.io/node-type"] = "worker" } },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray() },
    };

    private async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative)).DefaultTimeout();
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private async Task<HttpResponseMessage> PatchStatusAsync(string pod, string reason)
    {
        using var content = new StringContent(
            $$$"""{"status":{"conditions":[{"type":"raygpu.io/GPUHealthy","status":"False","reason":"{{{reason}}}","message":"XID 79","lastTransitionTime":"2026-01-02T03:04:05Z"}]}}""",
            Encoding.UTF8,
            "application/strategic-merge-patch+json");
        return await _http.PatchAsync(new Uri($"/api/v1/namespaces/ml/pods/{pod}/status", UriKind.Relative), content).DefaultTimeout();
    }

    private async Task<HttpResponseMessage> EvictAsync(string pod)
    {
        using var content = new StringContent($$$"""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"{{{pod}}}","namespace":"ml"}}""", Encoding.UTF8, "application/json");
        return await _http.PostAsync(new Uri($"/api/v1/namespaces/ml/pods/{pod}/eviction", UriKind.Relative), content).DefaultTimeout();
    }

    private async Task PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), content).DefaultTimeout();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
