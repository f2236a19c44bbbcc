using Ray.Rpc.Autoscaler;

namespace Platform.Sandbox.Ray;

/// <summary>A DrainNode call the simulated GCS answered: what was asked, about which node (null when Ray does not know it), and the answer.</summary>
internal sealed record RayDrain(string NodeId, RayNode? Node, DrainNodeReason Reason, string ReasonMessage, long DeadlineTimestampMs, bool Accepted, string RejectionReason, DateTimeOffset At);
