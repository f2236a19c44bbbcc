using Google.Protobuf;
using Grpc.Core;
using Ray.Rpc.Autoscaler;

namespace Platform.NodeAgent.Remediation.Ray;

/// <summary>
/// <see cref="IRayGcs"/> over gRPC to a Ray cluster's GCS (<c>ray.rpc.autoscaler.AutoscalerStateService</c>,
/// vendored in protos/ray/autoscaler.proto). Every failure comes back as a <see cref="RayGcsFailure"/> so the
/// caller can report it and fall back to evict-after-timeout; only cancellation throws.
/// </summary>
internal sealed class RayGcsClient : IRayGcs, IDisposable
{
    /// <summary>Both calls are small and served from GCS memory; a GCS slower than this is as good as down.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(10);

    private readonly RayGcsChannels _channels;
    private readonly TimeSpan _callTimeout;

    public RayGcsClient(TimeProvider time)
        : this(time, DefaultCallTimeout)
    {
    }

    public RayGcsClient(TimeProvider time, TimeSpan callTimeout)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(callTimeout, TimeSpan.Zero);
        _callTimeout = callTimeout;
        _channels = new RayGcsChannels(time, callTimeout);
    }

    public async Task<RayNodeLookup> FindNodeAsync(string address, string podIp, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(podIp);
        var channel = _channels.Get(address, out var problem);
        if (channel is null)
        {
            return new RayNodeLookup(null, RayGcsFailure.Error, problem);
        }

        try
        {
            var reply = await new AutoscalerStateService.AutoscalerStateServiceClient(channel)
                .GetClusterStatusAsync(new GetClusterStatusRequest(), deadline: Deadline(), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            var nodes = reply.ClusterResourceState?.NodeStates ?? [];
            return new RayNodeLookup(RayNodePicker.Pick(nodes, podIp), RayGcsFailure.None, null);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (agent stopping, GPU recovered): not a GCS failure to report.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (RpcException e)
        {
            var (failure, message) = RayGcsErrors.Classify(e.StatusCode, e.Status.Detail);
            return new RayNodeLookup(null, failure, message);
        }
    }

    public async Task<RayDrainReply> DrainNodeAsync(string address, string nodeId, string reasonMessage, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reasonMessage);
        if (!TryParseNodeId(nodeId, out var id))
        {
            return new RayDrainReply(false, null, RayGcsFailure.Error, $"the Ray node id '{RayGcsErrors.Bound(nodeId ?? string.Empty)}' is not hex");
        }

        var channel = _channels.Get(address, out var problem);
        if (channel is null)
        {
            return new RayDrainReply(false, null, RayGcsFailure.Error, problem);
        }

        var request = new DrainNodeRequest
        {
            NodeId = id,
            // PREEMPTION: the node is going away whatever Ray thinks; Ray cannot reject it (IDLE_TERMINATION it can).
            Reason = DrainNodeReason.Preemption,
            ReasonMessage = reasonMessage,
            DeadlineTimestampMs = deadline.ToUnixTimeMilliseconds(),
        };
        try
        {
            var reply = await new AutoscalerStateService.AutoscalerStateServiceClient(channel)
                .DrainNodeAsync(request, deadline: Deadline(), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return reply.IsAccepted
                ? new RayDrainReply(true, null, RayGcsFailure.None, null)
                : new RayDrainReply(false, RayGcsErrors.Bound(reply.RejectionReasonMessage), RayGcsFailure.None, null);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (agent stopping, GPU recovered): not a GCS failure to report.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (RpcException e)
        {
            var (failure, message) = RayGcsErrors.Classify(e.StatusCode, e.Status.Detail);
            return new RayDrainReply(false, null, failure, message);
        }
    }

    public void Dispose() => _channels.Dispose();

    private static bool TryParseNodeId(string? nodeId, out ByteString id)
    {
        id = ByteString.Empty;
        if (string.IsNullOrEmpty(nodeId) || nodeId.Length % 2 != 0)
        {
            return false;
        }

        try
        {
            id = ByteString.CopyFrom(Convert.FromHexString(nodeId));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // The gRPC deadline travels to the GCS as grpc-timeout and is enforced on the wall clock by both sides,
    // so it is taken from the real clock, not the injected one (which only ages cached channels).
    private DateTime Deadline() => DateTime.UtcNow + _callTimeout;
}
