using System.Net;
using Ray.Rpc.Autoscaler;

namespace Platform.NodeAgent.Remediation.Ray;

/// <summary>
/// Finds the Ray node a pod runs, from GetClusterStatus's node table. A Ray node on Kubernetes reports the
/// pod's IP as <c>node_ip_address</c>; the table keeps DEAD nodes for a while, so a worker pod whose raylet
/// restarted (same pod, same IP) appears twice: the live entry is the one to drain.
/// </summary>
internal static class RayNodePicker
{
    public static RayNodeState? Pick(IEnumerable<NodeState> nodes, string podIp)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentException.ThrowIfNullOrEmpty(podIp);
        NodeState? live = null;
        NodeState? dead = null;
        foreach (var node in nodes)
        {
            if (!SameAddress(node.NodeIpAddress, podIp))
            {
                continue;
            }

            if (node.Status == NodeStatus.Dead)
            {
                dead = Newer(dead, node);
            }
            else
            {
                live = Newer(live, node);
            }
        }

        var chosen = live ?? dead;
        return chosen is null ? null : ToState(chosen);
    }

    public static RayNodeState ToState(NodeState node) =>
        new(Convert.ToHexStringLower(node.NodeId.Span), node.NodeIpAddress, ToStatus(node.Status), node.IdleDurationMs);

    /// <summary>Unknown enum values (a newer Ray) read as Unspecified: never as a state that allows eviction.</summary>
    public static RayNodeStatus ToStatus(NodeStatus status) =>
        status switch
        {
            NodeStatus.Running => RayNodeStatus.Running,
            NodeStatus.Dead => RayNodeStatus.Dead,
            NodeStatus.Idle => RayNodeStatus.Idle,
            NodeStatus.Draining => RayNodeStatus.Draining,
            _ => RayNodeStatus.Unspecified,
        };

    // Two live entries for one IP should not happen; if it does, the one with the newer state report wins.
    private static NodeState Newer(NodeState? current, NodeState candidate) =>
        current is null || candidate.NodeStateVersion > current.NodeStateVersion ? candidate : current;

    // Compared as addresses, so "10.0.0.7" matches however either side spells it (IPv6 zero runs, case).
    private static bool SameAddress(string reported, string podIp) =>
        IPAddress.TryParse(reported, out var a) && IPAddress.TryParse(podIp, out var b)
            ? a.Equals(b)
            : string.Equals(reported, podIp, StringComparison.OrdinalIgnoreCase);
}
