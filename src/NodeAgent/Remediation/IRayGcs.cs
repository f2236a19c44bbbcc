namespace Platform.NodeAgent.Remediation;

/// <summary>Why a call to a Ray GCS did not give an answer.</summary>
internal enum RayGcsFailure
{
    None,
    Unreachable,
    TokenAuthRequired,
    Error,
}

/// <summary>The Ray node states of autoscaler.proto's NodeStatus.</summary>
internal enum RayNodeStatus
{
    Unspecified = 0,
    Running = 1,
    Dead = 2,
    Idle = 3,
    Draining = 4,
}

/// <summary>A Ray node as GetClusterStatus reports it; the id is lower-case hex of node_id.</summary>
internal sealed record RayNodeState(string NodeId, string IpAddress, RayNodeStatus Status, long IdleDurationMs);

/// <summary>The node whose node_ip_address is the pod's IP, or null with why (Failure None + null: no such node).</summary>
internal sealed record RayNodeLookup(RayNodeState? Node, RayGcsFailure Failure, string? Message);

/// <summary>DrainNode's answer, or why there was none.</summary>
internal sealed record RayDrainReply(bool Accepted, string? RejectionReason, RayGcsFailure Failure, string? Message);

/// <summary>The two calls remediation makes to a Ray cluster's GCS (AutoscalerStateService).</summary>
internal interface IRayGcs
{
    Task<RayNodeLookup> FindNodeAsync(string address, string podIp, CancellationToken cancellationToken);

    Task<RayDrainReply> DrainNodeAsync(string address, string nodeId, string reasonMessage, DateTimeOffset deadline, CancellationToken cancellationToken);
}
