using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Platform.NodeAgent.Dra;
using Platform.NodeAgent.Dra.Slices;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra.Slices;

/// <summary>The publisher over real HTTPS against the loopback fake API server, which stores the slices.</summary>
public sealed class ResourceSlicePublisherTests : IAsyncLifetime
{
    private const string NodeName = "gpu-node-1";
    private const string Driver = "gpu.raygpu.io";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("slices");
    private readonly List<ResourceSlicePublisher> _started = [];
    private FakeKubernetesApi _api = null!;
    private KubernetesConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync(NodeName);
        _connection = new KubernetesConnection(Options.Create(new KubernetesOptions { Kubeconfig = _api.WriteKubeconfig(_temp.FullName) }), NullLogger<KubernetesConnection>.Instance);
    }

    public async Task DisposeAsync()
    {
        foreach (var publisher in _started)
        {
            await publisher.StopAsync(CancellationToken.None).DefaultTimeout();
        }

        _connection.Dispose();
        await _api.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    private (ResourceSlicePublisher Publisher, GpuHealthTracker Health, AgentMetrics Metrics) Create(GpuDiscovery discovery, bool deviceTaints = false, bool enabled = true, KubernetesConnection? connection = null)
    {
        var runtime = GpuRuntime.Create(Substitute.For<IGpuDriver>(), discovery, NullLogger<GpuRuntime>.Instance);
        var time = new FakeTimeProvider();
        var health = new GpuHealthTracker(discovery, Options.Create(new HealthOptions()), time);
        var metrics = new AgentMetrics();
        var publisher = new ResourceSlicePublisher(
            connection ?? _connection,
            runtime,
            health,
            Options.Create(new DraOptions { Enabled = enabled, DriverName = Driver, DeviceTaints = deviceTaints }),
            Options.Create(new NodeOptions { Name = NodeName }),
            metrics,
            time,
            NullLogger<ResourceSlicePublisher>.Instance);
        return (publisher, health, metrics);
    }

    private async Task<(ResourceSlicePublisher Publisher, GpuHealthTracker Health, AgentMetrics Metrics)> StartAsync(GpuDiscovery discovery, bool deviceTaints = false)
    {
        var created = Create(discovery, deviceTaints);
        _started.Add(created.Publisher);
        await created.Publisher.StartAsync(CancellationToken.None).DefaultTimeout();
        await created.Publisher.FirstPass.DefaultTimeout();
        return created;
    }

    private List<JsonObject> NodeSlices() =>
        [.. _api.ResourceSlices.Values.Where(s => (string?)s["spec"]!["nodeName"] == NodeName && (string?)s["spec"]!["driver"] == Driver)];

    private static IEnumerable<string?> DeviceNames(JsonObject slice) =>
        slice["spec"]!["devices"]?.AsArray().Select(d => (string?)d!["name"]) ?? [];

    private static long Generation(JsonObject slice) => (long)slice["spec"]!["pool"]!["generation"]!;

    private static JsonObject ForeignSlice(string name, string node, string driver, string pool, long generation) => new()
    {
        ["apiVersion"] = "resource.k8s.io/v1",
        ["kind"] = "ResourceSlice",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["driver"] = driver,
            ["nodeName"] = node,
            ["pool"] = new JsonObject { ["name"] = pool, ["generation"] = generation, ["resourceSliceCount"] = 1 },
            ["devices"] = new JsonArray(new JsonObject { ["name"] = "gpu-9" }),
        },
    };

    [Fact]
    public async Task Start_PublishesThePoolOwnedByTheNodeAtGenerationOne()
    {
        var (publisher, _, metrics) = await StartAsync(TestGpus.Discovery(2));

        var slice = Assert.Single(NodeSlices());
        Assert.Equal(["gpu-0", "gpu-1"], DeviceNames(slice));
        Assert.Equal((NodeName, 1L, 1L), ((string?)slice["spec"]!["pool"]!["name"], Generation(slice), (long)slice["spec"]!["pool"]!["resourceSliceCount"]!));
        Assert.StartsWith($"{NodeName}-{Driver}-", (string?)slice["metadata"]!["name"], StringComparison.Ordinal);
        Assert.Equal(("Node", NodeName, $"uid-{NodeName}"), ((string?)slice["metadata"]!["ownerReferences"]![0]!["kind"], (string?)slice["metadata"]!["ownerReferences"]![0]!["name"], (string?)slice["metadata"]!["ownerReferences"]![0]!["uid"]));
        Assert.Equal("23028Mi", (string?)slice["spec"]!["devices"]![0]!["capacity"]!["memory"]!["value"]);
        Assert.Equal(1, publisher.Generation);
        Assert.Null(publisher.Problem);
        Assert.Equal(new Advertisement(2, 2, 0), metrics.Advertised[Driver]);
    }

    [Fact]
    public async Task XidThenReset_WithdrawsTheGpuAndBringsItBack_EachAtTheNextGeneration()
    {
        var discovery = TestGpus.Discovery(2);
        var (publisher, health, metrics) = await StartAsync(discovery);

        var next = publisher.NextPublish;
        health.OnEvent(new GpuEvent(discovery.Devices[1].Uuid, GpuEventKind.Xid, 79));
        await next.DefaultTimeout();

        var withdrawn = Assert.Single(NodeSlices());
        Assert.Equal(["gpu-0"], DeviceNames(withdrawn));
        Assert.Equal(2, Generation(withdrawn));
        Assert.Equal(new Advertisement(1, 1, 0), metrics.Advertised[Driver]);

        next = publisher.NextPublish;
        health.OnProbe(discovery.Devices[1], new GpuProbeResult(GpuProbeStatus.Ok, "ok", 1));
        await next.DefaultTimeout();

        var back = Assert.Single(NodeSlices());
        Assert.Equal(["gpu-0", "gpu-1"], DeviceNames(back));
        Assert.Equal(3, Generation(back));
        Assert.Equal((string?)withdrawn["metadata"]!["name"], (string?)back["metadata"]!["name"]);
        Assert.Equal(new Advertisement(2, 2, 0), metrics.Advertised[Driver]);
    }

    [Fact]
    public async Task XidThenReset_WithDeviceTaints_TaintsWithTheXidThenClearsIt()
    {
        var discovery = TestGpus.Discovery(2);
        var (publisher, health, metrics) = await StartAsync(discovery, deviceTaints: true);

        var next = publisher.NextPublish;
        health.OnEvent(new GpuEvent(discovery.Devices[0].Uuid, GpuEventKind.Xid, 48));
        await next.DefaultTimeout();

        var tainted = Assert.Single(NodeSlices());
        Assert.Equal(["gpu-0", "gpu-1"], DeviceNames(tainted));
        var taint = tainted["spec"]!["devices"]![0]!["taints"]![0]!;
        Assert.Equal(("gpu.raygpu.io/unhealthy", "xid-48", "NoSchedule"), ((string?)taint["key"], (string?)taint["value"], (string?)taint["effect"]));
        Assert.Null(tainted["spec"]!["devices"]![1]!["taints"]);
        Assert.Equal(new Advertisement(2, 1, 1), metrics.Advertised[Driver]);

        next = publisher.NextPublish;
        health.OnProbe(discovery.Devices[0], new GpuProbeResult(GpuProbeStatus.Ok, "ok", 1));
        await next.DefaultTimeout();

        var clear = Assert.Single(NodeSlices());
        Assert.All(clear["spec"]!["devices"]!.AsArray(), d => Assert.Null(d!["taints"]));
        Assert.Equal(3, Generation(clear));
        Assert.Equal(new Advertisement(2, 2, 0), metrics.Advertised[Driver]);
    }

    [Fact]
    public async Task KubeletRestart_WipesTheNodesSlices_TheWatchRepublishesAtOnce()
    {
        var (publisher, _, _) = await StartAsync(TestGpus.Discovery(2));
        await _api.SliceWatches.Reader.ReadAsync().AsTask().DefaultTimeout();

        var next = publisher.NextPublish;
        _api.WipeResourceSlices(NodeName);
        await next.DefaultTimeout();

        var slice = Assert.Single(NodeSlices());
        Assert.Equal(["gpu-0", "gpu-1"], DeviceNames(slice));
        Assert.Equal(2, Generation(slice));
    }

    [Fact]
    public async Task Watch_StartsFromTheListedVersion_AndOwnWritesWriteNothingMore()
    {
        var discovery = TestGpus.Discovery(2);
        var (publisher, health, _) = await StartAsync(discovery);
        var query = await _api.SliceWatches.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Contains("watch=true", query, StringComparison.Ordinal);
        Assert.Contains("resourceVersion=", query, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString($"spec.nodeName={NodeName},spec.driver={Driver}"), query, StringComparison.Ordinal);
        _ = await _api.SliceWrites.Reader.ReadAsync().AsTask().DefaultTimeout();

        var next = publisher.NextPublish;
        health.OnEvent(new GpuEvent(discovery.Devices[1].Uuid, GpuEventKind.Xid, 79));
        await next.DefaultTimeout();

        // The update's own watch event leads to a pass that finds the pool current: the health change
        // still reads as one write, and the pool stays at its generation.
        _ = await _api.SliceWrites.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal(2, Generation(Assert.Single(NodeSlices())));
        Assert.False(_api.SliceWrites.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Sync_TaintStampedByTheServer_CountsAsCurrent()
    {
        var discovery = TestGpus.Discovery(1);
        var (publisher, health, _) = Create(discovery, deviceTaints: true);
        health.OnEvent(new GpuEvent(discovery.Devices[0].Uuid, GpuEventKind.Xid, 79));

        Assert.True(await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout());
        Assert.NotNull(NodeSlices()[0]["spec"]!["devices"]![0]!["taints"]![0]!["timeAdded"]);

        Assert.False(await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task Restart_SlicesAlreadyCurrent_WritesNothingAndKeepsTheGeneration()
    {
        var discovery = TestGpus.Discovery(2);
        var (first, _, _) = Create(discovery);
        await first.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout();
        await _api.SliceWrites.Reader.ReadAsync().AsTask().DefaultTimeout();
        var before = Assert.Single(NodeSlices());

        var (second, _, metrics) = Create(discovery);
        var wrote = await second.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout();

        Assert.False(wrote);
        Assert.False(_api.SliceWrites.Reader.TryRead(out _));
        Assert.Equal((string?)before["metadata"]!["resourceVersion"], (string?)Assert.Single(NodeSlices())["metadata"]!["resourceVersion"]);
        Assert.Equal(1, second.Generation);
        Assert.Equal(new Advertisement(2, 2, 0), metrics.Advertised[Driver]);
    }

    [Fact]
    public async Task Sync_StaleSlices_AreDeletedAndThePoolMovesPastTheirGeneration()
    {
        _api.PutResourceSlice(ForeignSlice("old-pool", NodeName, Driver, "renamed-pool", 4));
        _api.PutResourceSlice(ForeignSlice("a-ours", NodeName, Driver, NodeName, 5));
        _api.PutResourceSlice(ForeignSlice("b-ours-extra", NodeName, Driver, NodeName, 5));
        _api.PutResourceSlice(ForeignSlice("other-node", "gpu-node-2", Driver, "gpu-node-2", 1));
        _api.PutResourceSlice(ForeignSlice("other-driver", NodeName, "nic.example.com", NodeName, 1));
        var (publisher, _, _) = Create(TestGpus.Discovery(2));

        Assert.True(await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout());

        var slice = Assert.Single(NodeSlices());
        Assert.Equal("a-ours", (string?)slice["metadata"]!["name"]);
        Assert.Equal(["gpu-0", "gpu-1"], DeviceNames(slice));
        Assert.Equal(6, Generation(slice));
        Assert.Equal(["a-ours", "other-driver", "other-node"], _api.ResourceSlices.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sync_ForeignPoolDeleteRefused_PublishesAnywayAndKeepsIt()
    {
        _api.PutResourceSlice(ForeignSlice("old-pool", NodeName, Driver, "renamed-pool", 4));
        _api.UndeletableSlices.Add("old-pool");
        var (publisher, _, _) = Create(TestGpus.Discovery(1));

        Assert.True(await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout());
        Assert.False(await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout());

        Assert.Equal(["gpu-0"], DeviceNames(NodeSlices().Single(s => (string?)s["spec"]!["pool"]!["name"] == NodeName)));
        Assert.True(_api.ResourceSlices.ContainsKey("old-pool"));
    }

    [Fact]
    public async Task Sync_OnlyAStaleSliceBesideCurrentOnes_DeletesItWithoutANewGeneration()
    {
        var (publisher, _, _) = Create(TestGpus.Discovery(1));
        await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout();
        _api.PutResourceSlice(ForeignSlice("old-pool", NodeName, Driver, "renamed-pool", 9));

        Assert.True(await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout());

        Assert.Equal(1, Generation(Assert.Single(NodeSlices())));
        Assert.False(_api.ResourceSlices.ContainsKey("old-pool"));
    }

    [Fact]
    public async Task Sync_NoGpus_DeletesTheNodesSlicesAndPublishesNone()
    {
        _api.PutResourceSlice(ForeignSlice("left-over", NodeName, Driver, NodeName, 3));
        var (publisher, _, metrics) = Create(GpuDiscovery.Empty("none"));

        await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout();

        Assert.Empty(NodeSlices());
        Assert.Equal(new Advertisement(0, 0, 0), metrics.Advertised[Driver]);
    }

    [Fact]
    public async Task Sync_EveryGpuWithdrawn_KeepsOneEmptySliceAtTheNextGeneration()
    {
        var discovery = TestGpus.Discovery(1);
        var (publisher, health, _) = Create(discovery);
        await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout();
        health.OnEvent(new GpuEvent(discovery.Devices[0].Uuid, GpuEventKind.Xid, 79));

        await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout();

        var slice = Assert.Single(NodeSlices());
        Assert.Empty(DeviceNames(slice));
        Assert.Equal(2, Generation(slice));
    }

    [Fact]
    public async Task Sync_ManyGpusWithTaints_SplitsIntoSlicesTheServerAccepts()
    {
        var (publisher, _, _) = Create(TestGpus.Discovery(70), deviceTaints: true);

        await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout();

        var slices = NodeSlices();
        Assert.Equal(2, slices.Count);
        Assert.All(slices, s => Assert.Equal((1L, 2L), (Generation(s), (long)s["spec"]!["pool"]!["resourceSliceCount"]!)));
        Assert.Equal(70, slices.Sum(s => DeviceNames(s).Count()));
    }

    [Fact]
    public async Task HealthChange_UpdateConflicts_IsReadAgainAndApplied()
    {
        var discovery = TestGpus.Discovery(2);
        var (publisher, health, _) = await StartAsync(discovery);
        _api.FailSliceUpdatesWithConflict(2);

        var next = publisher.NextPublish;
        health.OnEvent(new GpuEvent(discovery.Devices[0].Uuid, GpuEventKind.Xid, 79));
        await next.DefaultTimeout();

        var slice = Assert.Single(NodeSlices());
        Assert.Equal(["gpu-1"], DeviceNames(slice));
        Assert.Null(publisher.Problem);
    }

    [Fact]
    public async Task Sync_SliceDeletedUnderneath_IsRecreatedOnTheNextPass()
    {
        var (publisher, _, _) = Create(TestGpus.Discovery(1));
        await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout();
        await _connection.Api!.DeleteResourceSliceAsync((string)NodeSlices()[0]["metadata"]!["name"]!, CancellationToken.None).DefaultTimeout();

        Assert.True(await publisher.SyncAsync(_connection.Api!, NodeName, CancellationToken.None).DefaultTimeout());

        var slice = Assert.Single(NodeSlices());
        Assert.Equal(2, Generation(slice));
    }

    [Fact]
    public async Task Execute_Disabled_MakesNoCall()
    {
        var (publisher, _, _) = Create(TestGpus.Discovery(1), enabled: false);

        await publisher.StartAsync(CancellationToken.None).DefaultTimeout();
        await publisher.FirstPass.DefaultTimeout();
        await publisher.StopAsync(CancellationToken.None).DefaultTimeout();

        Assert.Null(publisher.Problem);
        Assert.Empty(_api.ResourceSlices);
    }

    [Fact]
    public async Task Execute_NoKubernetes_SaysWhyInReadiness()
    {
        using var off = new KubernetesConnection(null, false, NullLogger<KubernetesConnection>.Instance);
        var (publisher, _, _) = Create(TestGpus.Discovery(1), connection: off);

        await publisher.StartAsync(CancellationToken.None).DefaultTimeout();
        await publisher.FirstPass.DefaultTimeout();
        await publisher.StopAsync(CancellationToken.None).DefaultTimeout();

        var check = Assert.Single(new ResourceSliceReadiness(publisher, Options.Create(new DraOptions { Enabled = true })).Checks());
        Assert.False(check.Ok);
        Assert.True(check.Required);
        Assert.Contains("Kubernetes API access is off", check.Detail, StringComparison.Ordinal);
    }
}
