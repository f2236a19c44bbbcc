using Grpc.Core;
using Ray.Rpc.Autoscaler;

namespace Platform.Sandbox.Ray;

/// <summary>The two calls of Ray's <c>AutoscalerStateService</c> that remediation makes, answered from the simulated cluster.</summary>
internal sealed class RayGcsService(SimulatedRayGcs gcs) : AutoscalerStateService.AutoscalerStateServiceBase
{
    public override Task<GetClusterStatusReply> GetClusterStatus(GetClusterStatusRequest request, ServerCallContext context) =>
        Task.FromResult(gcs.Status());

    public override Task<DrainNodeReply> DrainNode(DrainNodeRequest request, ServerCallContext context)
    {
        // Ray's node ids are 28 bytes; anything else is a caller's bug, and the GCS says so rather than guessing.
        if (request.NodeId.Length != SimulatedRayGcs.NodeIdBytes)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"node_id must be {SimulatedRayGcs.NodeIdBytes} bytes, got {request.NodeId.Length}"));
        }

        var (accepted, rejection) = gcs.Drain(Convert.ToHexStringLower(request.NodeId.Span), request.Reason, request.ReasonMessage, request.DeadlineTimestampMs);
        return Task.FromResult(new DrainNodeReply { IsAccepted = accepted, RejectionReasonMessage = rejection });
    }
}
