using Ray.Rpc.Autoscaler;

namespace Platform.Sandbox.Ray;

/// <summary>A DrainNode call the simulated GCS answered: what was asked, about which node (null when Ray does not know it), and the answer.</summary>
internal sealed record RayDrain(string NodeId, RayNode? Node, DrainNodeReason Reason, string ReasonMessage, long DeadlineTimestampMs, bool Accepted, string RejectionReason, DateTimeOffset At)
{
    /// <summary>The reason as Ray's proto and CLI spell it, e.g. <c>DRAIN_NODE_REASON_PREEMPTION</c>.</summary>
    public string ReasonName =>
        AutoscalerReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(DrainNodeReason)).FindValueByNumber((int)Reason)?.Name ?? Reason.ToString();
}
