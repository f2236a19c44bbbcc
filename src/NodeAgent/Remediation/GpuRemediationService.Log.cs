namespace Platform.NodeAgent.Remediation;

/// <summary>Remediation's log lines (event ids 700-729).</summary>
internal sealed partial class GpuRemediationService
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "GPU {GpuUuid} failed ({Reason}) while pod {Namespace}/{Pod} holds it; remediating.")]
    private partial void LogFault(string @namespace, string pod, string gpuUuid, string reason);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Pod {Namespace}/{Pod} marked GPUHealthy=False for GPU {GpuUuid} ({Reason}); its remediation mode is {Mode}.")]
    private partial void LogAnnotated(string @namespace, string pod, string gpuUuid, string reason, string mode);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Ray at {Address} accepted to drain node {RayNodeId} of pod {Namespace}/{Pod} by {Deadline}.")]
    private partial void LogDrainRequested(string @namespace, string pod, string rayNodeId, string address, DateTimeOffset deadline);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Ray at {Address} could not be asked to drain pod {Namespace}/{Pod}: {Reason}. Falling back to eviction after the drain timeout (evict mode).")]
    private partial void LogDrainFailed(string @namespace, string pod, string address, string reason);

    [LoggerMessage(EventId = 704, Level = LogLevel.Information, Message = "Evicting pod {Namespace}/{Pod}: {Why}.")]
    private partial void LogEvicting(string @namespace, string pod, string why);

    [LoggerMessage(EventId = 705, Level = LogLevel.Information, Message = "Pod {Namespace}/{Pod} evicted; KubeRay replaces it on healthy GPUs (GPU {GpuUuid} is withdrawn).")]
    private partial void LogEvicted(string @namespace, string pod, string gpuUuid);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "The eviction of pod {Namespace}/{Pod} was refused; retrying in {RetryDelay}: {Reason}")]
    private partial void LogEvictionRefused(string @namespace, string pod, TimeSpan retryDelay, string reason);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "The remediation of pod {Namespace}/{Pod} was stopped by the {Rail} safety rail: {Detail}.")]
    private partial void LogStopped(string @namespace, string pod, string rail, string detail);

    [LoggerMessage(EventId = 708, Level = LogLevel.Information, Message = "GPU {GpuUuid} recovered; the remediation of pod {Namespace}/{Pod} (stage {Stage}) is cancelled.")]
    private partial void LogRecovered(string @namespace, string pod, string gpuUuid, string stage);

    [LoggerMessage(EventId = 709, Level = LogLevel.Warning, Message = "Pod {Namespace}/{Pod} runs on node {PodNode}, not on this node {NodeName}: it is never remediated from here.")]
    private partial void LogNotOnThisNode(string @namespace, string pod, string podNode, string nodeName);

    [LoggerMessage(EventId = 710, Level = LogLevel.Warning, Message = "Node {NodeName}: {FailedGpus} GPUs failed within {Window}; node breaker tripped, the node is tainted and nothing is evicted here.")]
    private partial void LogNodeDegraded(string nodeName, int failedGpus, TimeSpan window);

    [LoggerMessage(EventId = 711, Level = LogLevel.Information, Message = "Node {NodeName}: every GPU healthy for {Window}; the degraded taint and the remediating annotation are removed.")]
    private partial void LogNodeRecovered(string nodeName, TimeSpan window);

    [LoggerMessage(EventId = 712, Level = LogLevel.Warning, Message = "Remediation of pod {Namespace}/{Pod} failed this time; retrying: {Reason}")]
    private partial void LogStepFailed(string @namespace, string pod, string reason);

    [LoggerMessage(EventId = 713, Level = LogLevel.Warning, Message = "GPU {GpuUuid} failed but pod {Namespace}/{Pod} is already being remediated for GPU {OtherGpuUuid}: one remediation per pod.")]
    private partial void LogPodInFlight(string @namespace, string pod, string gpuUuid, string otherGpuUuid);

    [LoggerMessage(EventId = 714, Level = LogLevel.Information, Message = "Dry run, {Namespace}/{Pod}: would {Action}.")]
    private partial void LogDryRun(string @namespace, string pod, string action);

    [LoggerMessage(EventId = 715, Level = LogLevel.Warning, Message = "GPU remediation is off: {Reason}.")]
    private partial void LogOff(string reason);

    [LoggerMessage(EventId = 716, Level = LogLevel.Warning, Message = "Node {NodeName}: remediation marks could not be read or written; retrying: {Reason}")]
    private partial void LogNodeFailed(string nodeName, string reason);

    [LoggerMessage(EventId = 717, Level = LogLevel.Information, Message = "Resuming the remediation of pod {Namespace}/{Pod} at stage {Stage} (GPU {GpuUuid}).")]
    private partial void LogResumed(string @namespace, string pod, string stage, string gpuUuid);

    [LoggerMessage(EventId = 718, Level = LogLevel.Warning, Message = "A remediation pass failed; retrying: {Reason}")]
    private partial void LogPassFailed(string reason);

    [LoggerMessage(EventId = 719, Level = LogLevel.Warning, Message = "Node {NodeName}: {Count} entries of the annotation {Annotation} are not RFC 3339 times and are not counted: {Entries}")]
    private partial void LogEvictionsUnparseable(string nodeName, string annotation, int count, string entries);
}
