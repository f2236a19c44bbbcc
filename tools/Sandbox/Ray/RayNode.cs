using Ray.Rpc.Autoscaler;

namespace Platform.Sandbox.Ray;

/// <summary>
/// A Ray node of the simulated cluster: the raylet of one Ray pod, known by the pod's IP as Ray knows it
/// (<c>node_ip_address</c>); the id is the lower-case hex of the 28-byte binary node id; <paramref name="Since"/> is when it
/// took its status.
/// </summary>
internal sealed record RayNode(string NodeId, string IpAddress, string PodNamespace, string PodName, string Group, string NodeType, int Gpus, NodeStatus Status, DateTimeOffset Since);
