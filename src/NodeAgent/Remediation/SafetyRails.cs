using Platform.NodeAgent.Kubernetes;

namespace Platform.NodeAgent.Remediation;

/// <summary>
/// The safety rails as pure rules; each returns the rail's name (the <c>rail</c> label of
/// <c>raygpu_remediation_rail_trips_total</c>) when it stops an action.
/// </summary>
internal static class SafetyRails
{
    public const string PodInFlight = "pod_in_flight";
    public const string EvictionRate = "eviction_rate";
    public const string NodeBreaker = "node_breaker";
    public const string ClusterBreaker = "cluster_breaker";

    /// <summary>The eviction rate's window: <c>maxEvictionsPerNodePerHour</c>.</summary>
    public static readonly TimeSpan EvictionRateWindow = TimeSpan.FromHours(1);

    /// <summary>The rails this node can check alone, in order: a node fault evicts nothing; then the hourly limit.</summary>
    public static string? BeforeEviction(bool nodeDegraded, IEnumerable<DateTimeOffset> evictions, DateTimeOffset now, int maxPerHour)
    {
        if (nodeDegraded)
        {
            return NodeBreaker;
        }

        return CountWithin(evictions, now, EvictionRateWindow) >= maxPerHour ? EvictionRate : null;
    }

    /// <summary>
    /// <paramref name="faults"/> holds each GPU's latest remediable fault: this many GPUs failing within the
    /// window is a node fault (the driver, the board, the fabric), not GPU faults.
    /// </summary>
    public static bool NodeBreakerTrips(IEnumerable<DateTimeOffset> faults, DateTimeOffset now, TimeSpan window, int gpus) =>
        CountWithin(faults, now, window) >= gpus;

    /// <summary>
    /// More than <paramref name="fraction"/> of the GPU nodes affected, and more than <paramref name="minimum"/>:
    /// a mass failure is usually a driver rollout or the fabric, and evicting through it makes it worse.
    /// </summary>
    public static bool ClusterBreakerTrips(int affected, int gpuNodes, double fraction, int minimum) =>
        affected > Math.Max(minimum, fraction * gpuNodes);

    /// <summary>
    /// GPU nodes, and those carrying the remediating annotation or the degraded taint; this node counts as
    /// affected (it is about to be), and counts as a GPU node even when the selector missed it.
    /// </summary>
    public static (int Affected, int GpuNodes) CountDisrupted(IReadOnlyList<GpuNodeMarks> nodes, string self)
    {
        var affected = nodes.Count(n => n.Name == self || n.Remediating is not null || n.Degraded);
        var inList = nodes.Any(n => n.Name == self);
        return inList ? (affected, nodes.Count) : (affected + 1, nodes.Count + 1);
    }

    private static int CountWithin(IEnumerable<DateTimeOffset> times, DateTimeOffset now, TimeSpan window) =>
        times.Count(t => t <= now && now - t < window);
}
