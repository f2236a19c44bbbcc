namespace Platform.NodeAgent.Remediation;

/// <summary>
/// Where a pod's remediation stands. Kept in the pod's <c>raygpu.io/GPUHealthy</c> condition (the reason
/// names the stage), not in memory, so a restarted agent resumes where it stopped.
/// </summary>
internal enum RemediationStage
{
    /// <summary>No condition of ours (or one from an earlier remediation that ended).</summary>
    None,
    Annotated,
    Draining,
    Evicting,
    Stopped,
    Recovered,
}
