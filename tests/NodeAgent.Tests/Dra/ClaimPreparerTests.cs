using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.NodeAgent.Dra.Prepare;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra;

/// <summary>The preparer against the loopback HTTPS fake API server and real temp directories.</summary>
public sealed class ClaimPreparerTests : IAsyncLifetime
{
    private const string Driver = "gpu.raygpu.io";
    private const string Node = "node-a";
    private static readonly Platform.NodeAgent.Gpu.GpuDevice[] Gpus = [TestGpus.Device(0), TestGpus.Device(1)];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dra-prep-");
    private readonly HashSet<string> _unhealthy = [];
    private FakeKubernetesApi _api = null!;
    private KubernetesConnection _kubernetes = null!;

    private string CdiDirectory => Path.Combine(_dir.FullName, "cdi");

    private string PluginDirectory => Path.Combine(_dir.FullName, "plugin");

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync(Node);
        _kubernetes = new KubernetesConnection(_api.WriteKubeconfig(_dir.FullName), inCluster: false, NullLogger<KubernetesConnection>.Instance);
    }

    public async Task DisposeAsync()
    {
        _kubernetes.Dispose();
        await _api.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private int _preparedSignals;

    private ClaimPreparer Preparer(KubernetesConnection? kubernetes = null, string? pool = Node) => new(
        Driver, CdiDirectory, pool, kubernetes ?? _kubernetes, () => Gpus,
        uuid => _unhealthy.Contains(uuid) ? "xid: XID 79" : null,
        new PreparedClaimStore(PluginDirectory), TimeProvider.System, NullLogger<ClaimPreparer>.Instance,
        () => Interlocked.Increment(ref _preparedSignals));

    private static ClaimRef Ref(string name, string uid) => new("ml", name, uid);

    private string SpecPath(string uid) => Path.Combine(CdiDirectory, $"{Driver}-claim_{uid}.json");

    [Fact]
    public async Task Prepare_AllocatedClaim_ReturnsToolkitAndRequestCdiIds_AndWritesSpecAndRecord()
    {
        _api.PutClaim("ml", "two", "u-2", ("gpus", Driver, Node, "gpu-1"), ("gpus", Driver, Node, "gpu-0"));

        var outcome = (await Preparer().PrepareAsync([Ref("two", "u-2")], CancellationToken.None).DefaultTimeout())["u-2"];

        Assert.Null(outcome.Error);
        Assert.Equal(["gpu-1", "gpu-0"], outcome.Devices.Select(d => d.DeviceName));
        Assert.All(outcome.Devices, d => Assert.Equal(Node, d.PoolName));
        Assert.All(outcome.Devices, d => Assert.Equal(["gpus"], d.RequestNames));
        Assert.Equal([$"nvidia.com/gpu={Gpus[1].Uuid}", $"{Driver}/claim=u-2-gpus"], outcome.Devices[0].CdiDeviceIds);
        var spec = JsonDocument.Parse(File.ReadAllBytes(SpecPath("u-2"))).RootElement;
        Assert.Equal("u-2-gpus", spec.GetProperty("devices")[0].GetProperty("name").GetString());
        Assert.Equal($"NVIDIA_VISIBLE_DEVICES={Gpus[1].Uuid},{Gpus[0].Uuid}", spec.GetProperty("devices")[0].GetProperty("containerEdits").GetProperty("env")[0].GetString());
        Assert.Equal(["u-2"], new PreparedClaimStore(PluginDirectory).Uids());
        Assert.Equal([Path.GetFileName(SpecPath("u-2"))], Directory.GetFiles(CdiDirectory).Select(Path.GetFileName));
        Assert.Equal(1, _preparedSignals);
    }

    [Fact]
    public async Task Prepare_ClaimWithTwoRequests_GivesEachGpuOnlyItsOwnRequestsDevice()
    {
        _api.PutClaim("ml", "split", "u-s", ("a", Driver, Node, "gpu-0"), ("b/fast", Driver, Node, "gpu-1"));

        var outcome = (await Preparer().PrepareAsync([Ref("split", "u-s")], CancellationToken.None).DefaultTimeout())["u-s"];

        Assert.Null(outcome.Error);
        Assert.Equal([$"nvidia.com/gpu={Gpus[0].Uuid}", $"{Driver}/claim=u-s-a"], outcome.Devices.Single(d => d.DeviceName == "gpu-0").CdiDeviceIds);
        Assert.Equal([$"nvidia.com/gpu={Gpus[1].Uuid}", $"{Driver}/claim=u-s-b_fast"], outcome.Devices.Single(d => d.DeviceName == "gpu-1").CdiDeviceIds);
        var spec = JsonDocument.Parse(File.ReadAllBytes(SpecPath("u-s"))).RootElement;
        Assert.Equal(
            [$"u-s-a NVIDIA_VISIBLE_DEVICES={Gpus[0].Uuid}", $"u-s-b_fast NVIDIA_VISIBLE_DEVICES={Gpus[1].Uuid}"],
            spec.GetProperty("devices").EnumerateArray().Select(d => $"{d.GetProperty("name").GetString()} {d.GetProperty("containerEdits").GetProperty("env")[0].GetString()}"));
    }

    [Fact]
    public async Task Prepare_RequestNameNoCdiNameCanHold_RefusesTheClaim_AndWritesNothing()
    {
        _api.PutClaim("ml", "odd", "u-odd", ("gpus", Driver, Node, "gpu-0"), ("gpus\"}]", Driver, Node, "gpu-1"));

        var outcome = (await Preparer().PrepareAsync([Ref("odd", "u-odd")], CancellationToken.None).DefaultTimeout())["u-odd"];

        Assert.Contains("which is neither a DNS label nor <request>/<subrequest>", outcome.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(CdiDirectory) && Directory.GetFiles(CdiDirectory).Length > 0);
        Assert.Empty(new PreparedClaimStore(PluginDirectory).Uids());
    }

    /// <summary>
    /// A claim prepared by the agent before CDI devices were per request keeps answering with its recorded ids
    /// (the kubelet checkpointed them) and its spec in that layout, and unprepares cleanly after the upgrade.
    /// </summary>
    [Fact]
    public async Task ClaimPreparedByTheOlderLayout_AnswersAsRecorded_RewritesItsSpecAlike_AndUnprepares()
    {
        var spec = ClaimRecords.WriteOlderLayout(PluginDirectory, CdiDirectory, Driver, Ref("old", "u-old"), Gpus[0].Uuid, Gpus[1].Uuid);
        var written = File.ReadAllText(spec);
        File.Delete(spec);

        var again = (await Preparer().PrepareAsync([Ref("old", "u-old")], CancellationToken.None).DefaultTimeout())["u-old"];
        var rewritten = JsonDocument.Parse(File.ReadAllBytes(spec)).RootElement;
        var unprepared = await Preparer().UnprepareAsync([Ref("old", "u-old")], CancellationToken.None).DefaultTimeout();

        Assert.Null(again.Error);
        Assert.All(again.Devices, d => Assert.Equal($"{Driver}/claim=u-old", d.CdiDeviceIds[1]));
        Assert.False(_api.ClaimReads.Reader.TryRead(out _));
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(written).RootElement), JsonSerializer.Serialize(rewritten));
        Assert.Null(unprepared["u-old"]);
        Assert.Empty(Directory.GetFiles(CdiDirectory));
        Assert.Empty(new PreparedClaimStore(PluginDirectory).Uids());
    }

    [Fact]
    public async Task Unprepare_ClaimPreparedByTheOlderLayout_RemovesItsSpecAndRecord()
    {
        var spec = ClaimRecords.WriteOlderLayout(PluginDirectory, CdiDirectory, Driver, Ref("old", "u-old"), Gpus[1].Uuid);

        var first = await Preparer().UnprepareAsync([Ref("old", "u-old")], CancellationToken.None).DefaultTimeout();
        var second = await Preparer().UnprepareAsync([Ref("old", "u-old")], CancellationToken.None).DefaultTimeout();

        Assert.Null(first["u-old"]);
        Assert.Null(second["u-old"]);
        Assert.False(File.Exists(spec));
        Assert.Empty(Directory.GetFiles(CdiDirectory));
        Assert.Empty(new PreparedClaimStore(PluginDirectory).Uids());
    }

    /// <summary>Only a prepared claim asks pod attribution to look again; a refused one changes nothing it could see.</summary>
    [Fact]
    public async Task Prepare_UnknownClaim_DoesNotSignalAPreparedClaim()
    {
        var outcome = (await Preparer().PrepareAsync([Ref("missing", "u-9")], CancellationToken.None).DefaultTimeout())["u-9"];

        Assert.NotNull(outcome.Error);
        Assert.Equal(0, _preparedSignals);
    }

    [Fact]
    public async Task Prepare_Retried_AndAfterRestart_AnswersTheSame_WithoutReadingTheClaimAgain()
    {
        _api.PutClaim("ml", "one", "u-1", ("gpu", Driver, Node, "gpu-0"));
        var first = (await Preparer().PrepareAsync([Ref("one", "u-1")], CancellationToken.None).DefaultTimeout())["u-1"];
        var again = (await Preparer().PrepareAsync([Ref("one", "u-1")], CancellationToken.None).DefaultTimeout())["u-1"];

        // A restarted agent (new preparer, same directories) on a node rebooted with a tmpfs /var/run: the
        // claim is gone from the API server by now, and its CDI spec from disk.
        _api.DeleteClaim("ml", "one");
        File.Delete(SpecPath("u-1"));
        var restarted = (await Preparer().PrepareAsync([Ref("one", "u-1")], CancellationToken.None).DefaultTimeout())["u-1"];

        Assert.Null(first.Error);
        Assert.Null(restarted.Error);
        Assert.Equal(JsonSerializer.Serialize(first.Devices), JsonSerializer.Serialize(again.Devices));
        Assert.Equal(JsonSerializer.Serialize(first.Devices), JsonSerializer.Serialize(restarted.Devices));
        Assert.True(_api.ClaimReads.Reader.TryRead(out _));
        Assert.False(_api.ClaimReads.Reader.TryRead(out _));
        Assert.True(File.Exists(SpecPath("u-1")));
    }

    [Fact]
    public async Task Prepare_ManyConcurrentCallsForOneClaim_WriteOneSpecAndAgree()
    {
        _api.PutClaim("ml", "one", "u-1", ("gpu", Driver, Node, "gpu-1"));
        var preparer = Preparer();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => preparer.PrepareAsync([Ref("one", "u-1")], CancellationToken.None))).DefaultTimeout();

        Assert.All(outcomes, o => Assert.Equal($"nvidia.com/gpu={Gpus[1].Uuid}", o["u-1"].Devices.Single().CdiDeviceIds[0]));
        Assert.Single(Directory.GetFiles(CdiDirectory));
        Assert.Single(new PreparedClaimStore(PluginDirectory).Uids());
    }

    [Fact]
    public async Task Prepare_BadClaims_FailOneByOne_AndWriteNothingForThem()
    {
        _api.PutClaim("ml", "good", "u-good", ("gpu", Driver, Node, "gpu-0"));
        _api.PutClaim("ml", "recreated", "u-new", ("gpu", Driver, Node, "gpu-0"));
        _api.PutClaim("ml", "nvidia", "u-nv", ("gpu", "gpu.nvidia.com", Node, "gpu-0"));
        _api.PutClaim("ml", "elsewhere", "u-else", ("gpu", Driver, "node-b", "gpu-0"));
        _api.PutClaim("ml", "pending", "u-pending", null);
        _api.PutClaim("ml", "sick", "u-sick", ("gpu", Driver, Node, "gpu-1"));
        _unhealthy.Add(Gpus[1].Uuid);

        var outcomes = await Preparer().PrepareAsync(
        [
            Ref("good", "u-good"), Ref("missing", "u-missing"), Ref("recreated", "u-old"), Ref("nvidia", "u-nv"),
            Ref("elsewhere", "u-else"), Ref("pending", "u-pending"), Ref("sick", "u-sick"), Ref("evil", "../../etc"),
        ], CancellationToken.None).DefaultTimeout();

        Assert.Null(outcomes["u-good"].Error);
        Assert.Equal("ResourceClaim ml/missing does not exist", outcomes["u-missing"].Error);
        Assert.StartsWith("ResourceClaim ml/recreated has uid u-new, not u-old", outcomes["u-old"].Error, StringComparison.Ordinal);
        Assert.Equal("ResourceClaim ml/nvidia is allocated to driver gpu.nvidia.com, not gpu.raygpu.io", outcomes["u-nv"].Error);
        Assert.Contains("is in pool node-b, not this node's pool node-a", outcomes["u-else"].Error, StringComparison.Ordinal);
        Assert.Equal("ResourceClaim ml/pending is not allocated", outcomes["u-pending"].Error);
        Assert.Contains("is unhealthy: xid: XID 79", outcomes["u-sick"].Error, StringComparison.Ordinal);
        Assert.Equal("claim uid '../../etc' is not a Kubernetes uid", outcomes["../../etc"].Error);
        Assert.All(outcomes.Where(o => o.Key != "u-good"), o => Assert.Empty(o.Value.Devices));
        Assert.Equal(["u-good"], new PreparedClaimStore(PluginDirectory).Uids());
        Assert.Single(Directory.GetFiles(CdiDirectory));
    }

    [Fact]
    public async Task Prepare_WithoutApiOrNodeName_SaysWhy()
    {
        using var off = new KubernetesConnection(null, inCluster: false, NullLogger<KubernetesConnection>.Instance, enabled: false);

        var noApi = (await Preparer(off).PrepareAsync([Ref("a", "u-a")], CancellationToken.None).DefaultTimeout())["u-a"];
        var noNode = (await Preparer(pool: null).PrepareAsync([Ref("a", "u-a")], CancellationToken.None).DefaultTimeout())["u-a"];

        Assert.StartsWith("no Kubernetes API access to read the claim: Kubernetes:Enabled is false", noApi.Error, StringComparison.Ordinal);
        Assert.Equal("Node:Name (NODE_NAME) is not set, so this node's pool is unknown", noNode.Error);
    }

    [Fact]
    public async Task Unprepare_RemovesExactlyWhatPrepareWrote_AndIsIdempotent()
    {
        _api.PutClaim("ml", "a", "u-a", ("gpu", Driver, Node, "gpu-0"));
        _api.PutClaim("ml", "b", "u-b", ("gpu", Driver, Node, "gpu-1"));
        var preparer = Preparer();
        await preparer.PrepareAsync([Ref("a", "u-a"), Ref("b", "u-b")], CancellationToken.None).DefaultTimeout();
        var toolkitSpec = Path.Combine(CdiDirectory, "nvidia.yaml");
        File.WriteAllText(toolkitSpec, "cdiVersion: 0.5.0\n");

        var first = await preparer.UnprepareAsync([Ref("a", "u-a")], CancellationToken.None).DefaultTimeout();
        var second = await Preparer().UnprepareAsync([Ref("a", "u-a"), Ref("never", "u-never")], CancellationToken.None).DefaultTimeout();

        Assert.Null(first["u-a"]);
        Assert.Null(second["u-a"]);
        Assert.Null(second["u-never"]);
        Assert.Equal([Path.GetFileName(SpecPath("u-b")), "nvidia.yaml"], Directory.GetFiles(CdiDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["u-b"], new PreparedClaimStore(PluginDirectory).Uids());
    }

    [Fact]
    public async Task Unprepare_WithoutRecord_RemovesTheClaimsOwnSpec_LeftByACrashBeforeTheRecord()
    {
        Directory.CreateDirectory(CdiDirectory);
        File.WriteAllText(SpecPath("u-x"), "{}");

        var result = await Preparer().UnprepareAsync([Ref("x", "u-x")], CancellationToken.None).DefaultTimeout();

        Assert.Null(result["u-x"]);
        Assert.False(File.Exists(SpecPath("u-x")));
    }
}
