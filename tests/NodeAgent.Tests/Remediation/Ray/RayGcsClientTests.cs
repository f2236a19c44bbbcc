using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Remediation.Ray;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Remediation.Ray;

/// <summary>
/// <see cref="RayGcsClient"/> against the grpc-js fake GCS (tests/tools/ray-gcs), which decodes the calls
/// with Ray's own message definitions: what reaches the wire, and how each GCS answer reads.
/// </summary>
public sealed class RayGcsClientTests : IAsyncLifetime
{
    // Ray node ids are 28 bytes.
    private static readonly string Worker = new string('a', 54) + "01";
    private static readonly string OtherWorker = new string('b', 54) + "02";
    private static readonly string Head = new string('c', 54) + "03";

    private FakeRayGcs _gcs = null!;
    private RayGcsClient _client = null!;

    public async Task InitializeAsync()
    {
        _gcs = await FakeRayGcs.StartAsync();
        await _gcs.SetNodesAsync(
            new GcsNode(Head, "10.0.0.2"),
            new GcsNode(Worker, "10.0.0.7"),
            new GcsNode(OtherWorker, "10.0.0.8", "IDLE", 5_000));
        _client = new RayGcsClient(TimeProvider.System, TimeSpan.FromSeconds(5));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gcs.DisposeAsync();
    }

    [Fact]
    public async Task FindNodeAsync_PodIpInTable_ReturnsThatNodeWithHexIdStatusAndIdleTime()
    {
        var lookup = await _client.FindNodeAsync(_gcs.Address, "10.0.0.8", CancellationToken.None).DefaultTimeout();

        Assert.Equal(new RayNodeLookup(new RayNodeState(OtherWorker, "10.0.0.8", RayNodeStatus.Idle, 5_000), RayGcsFailure.None, null), lookup);
        Assert.Equal("GetClusterStatus", (await _gcs.NextAsync("GetClusterStatus")).Method);
    }

    [Fact]
    public async Task FindNodeAsync_NoNodeHasPodIp_ReturnsNoNodeAndNoFailure()
    {
        var lookup = await _client.FindNodeAsync(_gcs.Address, "10.0.0.99", CancellationToken.None).DefaultTimeout();

        Assert.Equal(new RayNodeLookup(null, RayGcsFailure.None, null), lookup);
    }

    [Fact]
    public async Task FindNodeAsync_DeadAndLiveEntriesForOneIp_ReturnsTheLiveOne()
    {
        // A raylet that restarted inside the same pod: the old entry stays DEAD in the table, listed first.
        await _gcs.SetNodesAsync(new GcsNode(OtherWorker, "10.0.0.7", "DEAD"), new GcsNode(Worker, "10.0.0.7", "DRAINING", 0));

        var lookup = await _client.FindNodeAsync(_gcs.Address, "10.0.0.7", CancellationToken.None).DefaultTimeout();

        Assert.Equal(Worker, lookup.Node?.NodeId);
        Assert.Equal(RayNodeStatus.Draining, lookup.Node?.Status);
    }

    [Fact]
    public async Task FindNodeAsync_OnlyADeadEntry_ReturnsItSoTheCallerSeesTheNodeIsGone()
    {
        await _gcs.SetStatusAsync(Worker, "DEAD");

        var lookup = await _client.FindNodeAsync(_gcs.Address, "10.0.0.7", CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayNodeStatus.Dead, lookup.Node?.Status);
        Assert.Equal(Worker, lookup.Node?.NodeId);
    }

    [Fact]
    public async Task DrainNodeAsync_Accepted_SendsNodeIdBytesPreemptionMessageAndDeadline()
    {
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(1_893_456_000_123);

        var reply = await _client.DrainNodeAsync(_gcs.Address, Worker, "GPU GPU-1234 XID 79 on node gpu-7", deadline, CancellationToken.None).DefaultTimeout();

        Assert.Equal(new RayDrainReply(true, null, RayGcsFailure.None, null), reply);
        var request = await _gcs.NextAsync("DrainNode");
        Assert.Equal(Worker, request.Field("node_id"));
        Assert.Equal("DRAIN_NODE_REASON_PREEMPTION", request.Field("reason"));
        Assert.Equal("GPU GPU-1234 XID 79 on node gpu-7", request.Field("reason_message"));
        Assert.Equal(1_893_456_000_123, request.Request.GetProperty("deadline_timestamp_ms").GetInt64());
        Assert.Null(request.Authorization);
        // The GCS moved the node to DRAINING, as Ray does on acceptance; the next lookup sees it.
        var lookup = await _client.FindNodeAsync(_gcs.Address, "10.0.0.7", CancellationToken.None).DefaultTimeout();
        Assert.Equal(RayNodeStatus.Draining, lookup.Node?.Status);
    }

    [Fact]
    public async Task DrainNodeAsync_Rejected_ReturnsTheRejectionReasonAndNoFailure()
    {
        await _gcs.SetDrainAsync("reject", "the node is running a detached actor");

        var reply = await _client.DrainNodeAsync(_gcs.Address, Worker, "m", DateTimeOffset.UtcNow, CancellationToken.None).DefaultTimeout();

        Assert.Equal(new RayDrainReply(false, "the node is running a detached actor", RayGcsFailure.None, null), reply);
    }

    [Fact]
    public async Task BothCalls_GcsDown_ReportUnreachable()
    {
        await _gcs.DownAsync();

        var lookup = await _client.FindNodeAsync(_gcs.Address, "10.0.0.7", CancellationToken.None).DefaultTimeout();
        var drain = await _client.DrainNodeAsync(_gcs.Address, Worker, "m", DateTimeOffset.UtcNow, CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayGcsFailure.Unreachable, lookup.Failure);
        Assert.Null(lookup.Node);
        Assert.StartsWith("Unavailable", lookup.Message, StringComparison.Ordinal);
        Assert.Equal(RayGcsFailure.Unreachable, drain.Failure);
        Assert.False(drain.Accepted);
    }

    [Fact]
    public async Task FindNodeAsync_GcsBackAfterBeingDown_TheSameClientReachesItAgain()
    {
        Assert.NotNull((await _client.FindNodeAsync(_gcs.Address, "10.0.0.7", CancellationToken.None).DefaultTimeout()).Node);
        await _gcs.DownAsync();
        Assert.Equal(RayGcsFailure.Unreachable, (await _client.FindNodeAsync(_gcs.Address, "10.0.0.7", CancellationToken.None).DefaultTimeout()).Failure);

        await _gcs.UpAsync();
        var lookup = await _client.FindNodeAsync(_gcs.Address, "10.0.0.7", CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayGcsFailure.None, lookup.Failure);
        Assert.Equal(Worker, lookup.Node?.NodeId);
    }

    [Fact]
    public async Task FindNodeAsync_HostNameThatDoesNotResolve_ReportsUnreachable()
    {
        var lookup = await _client.FindNodeAsync("no-such-cluster-head-svc.invalid:6379", "10.0.0.7", CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayGcsFailure.Unreachable, lookup.Failure);
    }

    [Fact]
    public async Task BothCalls_TokenAuthOn_ReportTokenAuthRequired()
    {
        await _gcs.SetTokenAsync("s3cret-token-of-at-least-32-characters");

        var lookup = await _client.FindNodeAsync(_gcs.Address, "10.0.0.7", CancellationToken.None).DefaultTimeout();
        var drain = await _client.DrainNodeAsync(_gcs.Address, Worker, "m", DateTimeOffset.UtcNow, CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayGcsFailure.TokenAuthRequired, lookup.Failure);
        Assert.Contains("authentication token", lookup.Message, StringComparison.Ordinal);
        Assert.Equal(RayGcsFailure.TokenAuthRequired, drain.Failure);
        Assert.False(drain.Accepted);
    }

    [Fact]
    public async Task DrainNodeAsync_GcsInternalError_ReportsErrorWithTheStatusDetailBounded()
    {
        await _gcs.SetDrainAsync("error", "raylet said: " + new string('x', 5_000));

        var reply = await _client.DrainNodeAsync(_gcs.Address, Worker, "m", DateTimeOffset.UtcNow, CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayGcsFailure.Error, reply.Failure);
        Assert.StartsWith("Internal: raylet said: xxx", reply.Message, StringComparison.Ordinal);
        Assert.Equal(RayGcsErrors.MaxMessageLength, reply.Message!.Length);
    }

    [Fact]
    public async Task DrainNodeAsync_GcsNeverAnswers_TheCallDeadlineEndsItAsUnreachable()
    {
        await _gcs.SetDrainAsync("hang");
        using var client = new RayGcsClient(TimeProvider.System, TimeSpan.FromMilliseconds(300));

        var reply = await client.DrainNodeAsync(_gcs.Address, Worker, "m", DateTimeOffset.UtcNow, CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayGcsFailure.Unreachable, reply.Failure);
        Assert.StartsWith("DeadlineExceeded", reply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainNodeAsync_CancelledWhileWaiting_ThrowsOperationCanceled()
    {
        await _gcs.SetDrainAsync("hang");
        using var cancel = new CancellationTokenSource();

        var call = _client.DrainNodeAsync(_gcs.Address, Worker, "m", DateTimeOffset.UtcNow, cancel.Token);
        await _gcs.NextAsync("DrainNode");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.DefaultTimeout());
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.2")]
    [InlineData("http://10.0.0.2:6379")]
    [InlineData("head-svc.ns.svc:6379/path")]
    [InlineData("head-svc.ns.svc:notaport")]
    [InlineData("head-svc.ns.svc:70000")]
    public async Task BothCalls_AddressNotHostPort_ReportErrorWithoutDialling(string address)
    {
        var lookup = await _client.FindNodeAsync(address, "10.0.0.7", CancellationToken.None).DefaultTimeout();
        var drain = await _client.DrainNodeAsync(address, Worker, "m", DateTimeOffset.UtcNow, CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayGcsFailure.Error, lookup.Failure);
        Assert.Contains("GCS address", lookup.Message, StringComparison.Ordinal);
        Assert.Equal(RayGcsFailure.Error, drain.Failure);
        Assert.False(_gcs.Requests.Reader.TryRead(out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zz")]
    public async Task DrainNodeAsync_NodeIdNotHex_ReportsErrorWithoutCalling(string nodeId)
    {
        var reply = await _client.DrainNodeAsync(_gcs.Address, nodeId, "m", DateTimeOffset.UtcNow, CancellationToken.None).DefaultTimeout();

        Assert.Equal(RayGcsFailure.Error, reply.Failure);
        Assert.False(_gcs.Requests.Reader.TryRead(out _));
    }
}
