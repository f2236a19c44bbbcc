namespace Platform.NodeAgent.Gpu.Simulated;

/// <summary>The warning logged at start when simulated GPUs were allowed into a cluster (<c>Gpu:Simulated:AllowInCluster=true</c>).</summary>
internal static partial class SimulatedInClusterNotice
{
    public static void LogIfInCluster(ILogger logger, ClusterDetector cluster)
    {
        if (cluster.Evidence() is { } evidence)
        {
            LogSimulatedInCluster(logger, evidence);
        }
    }

    [LoggerMessage(EventId = 190, Level = LogLevel.Warning, Message = "Simulated GPUs are advertised inside a Kubernetes cluster ({Evidence}) because Gpu:Simulated:AllowInCluster is true: pods scheduled here get no real GPU. The Node is labelled raygpu.io/simulated=true and fault injection answers loopback callers only.")]
    private static partial void LogSimulatedInCluster(ILogger logger, string evidence);
}
