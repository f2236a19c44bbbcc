namespace Platform.NodeAgent.Remediation;

/// <summary>
/// Everything the decision for one pod depends on, as plain values.
/// <see cref="Mode"/> is already the pod's own (see <see cref="RemediationModes.For"/>);
/// <see cref="RayNode"/> is the last GetClusterStatus answer after the drain was asked for (null: none yet).
/// </summary>
internal sealed record RemediationFacts(
    RemediationStage Stage,
    RemediationMode Mode,
    bool RayWorker,
    bool GpuRecovered,
    DateTimeOffset Start,
    DateTimeOffset Now,
    TimeSpan DrainTimeout,
    DrainProgress Drain,
    RayNodeLookup? RayNode);
