using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;
using Platform.Sandbox.Ray;
using Platform.Sandbox.Tests.TestSupport;
using Ray.Rpc.Autoscaler;

namespace Platform.Sandbox.Tests.Ray;

/// <summary>The simulated GCS over real plaintext gRPC on loopback, as the agent's client calls it.</summary>
public sealed class SimulatedRayGcsTests : IAsyncLifetime
{
    private static readonly TimeSpan RayletExit = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private SimulatedRayGcs _gcs = null!;
    private GrpcChannel _channel = null!;
    private AutoscalerStateService.AutoscalerStateServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _gcs = await SimulatedRayGcs.StartAsync(RayletExit, CancellationToken.None, _time).DefaultTimeout();
        _channel = GrpcChannel.ForAddress($"http://{_gcs.Address}");
        _client = new AutoscalerStateService.AutoscalerStateServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _gcs.DisposeAsync();
    }

    [Fact]
    public async Task GetClusterStatus_ListsEachJoinedPodAsARunningNodeAtItsIp()
    {
        var worker = _gcs.Join("ml", "rc-gpu-worker-a", "10.244.1.2", "gpu-a10g", "worker", 1);
        _ = _gcs.Join("ml", "rc-head-b", "10.244.0.2", "headgroup", "head", 0);

        var status = await _client.GetClusterStatusAsync(new GetClusterStatusRequest()).ResponseAsync.DefaultTimeout();

        var states = status.ClusterResourceState.NodeStates;
        Assert.Equal(2, states.Count);
        var state = Assert.Single(states, s => s.NodeIpAddress == "10.244.1.2");
        Assert.Equal(SimulatedRayGcs.NodeIdBytes, state.NodeId.Length);
        Assert.Equal(worker.NodeId, Convert.ToHexStringLower(state.NodeId.Span));
        Assert.Equal(NodeStatus.Running, state.Status);
        Assert.Equal("gpu-a10g", state.RayNodeTypeName);
        Assert.Equal(1, state.TotalResources["GPU"]);
        Assert.NotEqual(worker.NodeId, SimulatedRayGcs.NodeIdOf("ml", "rc-head-b"));
    }

    [Fact]
    public async Task DrainNode_Preemption_AcceptedDrainingThenDeadWhenTheRayletExits()
    {
        var worker = _gcs.Join("ml", "rc-gpu-worker-a", "10.244.1.2", "gpu-a10g", "worker", 1);
        var deadline = _time.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds();

        var reply = await DrainAsync(worker.NodeId, DrainNodeReason.Preemption, deadline);
        var again = await DrainAsync(worker.NodeId, DrainNodeReason.Preemption, deadline);

        Assert.True(reply.IsAccepted);
        Assert.True(again.IsAccepted);
        Assert.Equal(NodeStatus.Draining, await StatusOfAsync("10.244.1.2"));
        var drain = _gcs.Drains()[0];
        Assert.Equal((worker.NodeId, "rc-gpu-worker-a", DrainNodeReason.Preemption, "GPU 2 XID 79", deadline), (drain.NodeId, drain.Node!.PodName, drain.Reason, drain.ReasonMessage, drain.DeadlineTimestampMs));

        _time.Advance(RayletExit);

        Assert.Equal(NodeStatus.Dead, await StatusOfAsync("10.244.1.2"));
        Assert.Equal(2, _gcs.Drains().Count);
    }

    [Fact]
    public async Task DrainNode_IdleTerminationOfABusyNode_IsRejectedAndTheNodeKeepsRunning()
    {
        var worker = _gcs.Join("ml", "rc-gpu-worker-a", "10.244.1.2", "gpu-a10g", "worker", 1);

        var reply = await DrainAsync(worker.NodeId, DrainNodeReason.IdleTermination, 0);

        Assert.False(reply.IsAccepted);
        Assert.Contains("not idle", reply.RejectionReasonMessage, StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Running, await StatusOfAsync("10.244.1.2"));
    }

    [Fact]
    public async Task DrainNode_UnknownOrDeadNode_IsAccepted()
    {
        var worker = _gcs.Join("ml", "rc-gpu-worker-a", "10.244.1.2", "gpu-a10g", "worker", 1);
        _gcs.PodGone("10.244.1.2");

        Assert.True((await DrainAsync(worker.NodeId, DrainNodeReason.Preemption, 0)).IsAccepted);
        Assert.True((await DrainAsync(SimulatedRayGcs.NodeIdOf("ml", "never-joined"), DrainNodeReason.Preemption, 0)).IsAccepted);
        Assert.Equal(NodeStatus.Dead, await StatusOfAsync("10.244.1.2"));
    }

    [Fact]
    public async Task DrainNode_IdOfTheWrongLength_IsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.DrainNodeAsync(new DrainNodeRequest { NodeId = ByteString.CopyFromUtf8("10.244.1.2") }).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Empty(_gcs.Drains());
    }

    [Fact]
    public async Task PodGone_TheNodeTurnsDeadAndStaysListed()
    {
        _ = _gcs.Join("ml", "rc-gpu-worker-a", "10.244.1.2", "gpu-a10g", "worker", 1);

        _gcs.PodGone("10.244.1.2");

        Assert.Equal(NodeStatus.Dead, await StatusOfAsync("10.244.1.2"));
    }

    private async Task<DrainNodeReply> DrainAsync(string nodeId, DrainNodeReason reason, long deadline) =>
        await _client.DrainNodeAsync(new DrainNodeRequest
        {
            NodeId = ByteString.CopyFrom(Convert.FromHexString(nodeId)),
            Reason = reason,
            ReasonMessage = "GPU 2 XID 79",
            DeadlineTimestampMs = deadline,
        }).ResponseAsync.DefaultTimeout();

    private async Task<NodeStatus> StatusOfAsync(string ip)
    {
        var status = await _client.GetClusterStatusAsync(new GetClusterStatusRequest()).ResponseAsync.DefaultTimeout();
        return status.ClusterResourceState.NodeStates.Single(s => s.NodeIpAddress == ip).Status;
    }
}
