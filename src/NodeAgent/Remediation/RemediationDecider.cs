namespace Platform.NodeAgent.Remediation;

/// <summary>
/// The remediation of one pod as a pure function from <see cref="RemediationFacts"/> to the next step:
/// annotate, then (Ray workers, drain and evict modes) ask Ray to drain, then (evict mode) evict once Ray
/// reports the node drained or the drain timeout passed. A GPU that recovers first cancels what has not
/// happened yet. The safety rails are checked apart, right before an eviction (<see cref="SafetyRails"/>).
/// </summary>
internal static class RemediationDecider
{
    public static RemediationStep Next(RemediationFacts facts)
    {
        if (facts.Stage == RemediationStage.Recovered)
        {
            return new(RemediationAction.Nothing, "the GPU recovered and the pod is marked so");
        }

        if (facts.GpuRecovered)
        {
            return facts.Stage == RemediationStage.None
                ? new(RemediationAction.Nothing, "the GPU recovered before anything was done")
                : new(RemediationAction.Cancel, "the GPU recovered before the remediation ended");
        }

        if (facts.Stage == RemediationStage.Stopped)
        {
            return new(RemediationAction.Nothing, "a safety rail stopped this remediation; a person decides");
        }

        if (facts.Mode == RemediationMode.Off)
        {
            return new(RemediationAction.Nothing, "remediation is off for this pod");
        }

        return facts.Stage switch
        {
            RemediationStage.None => new(RemediationAction.Annotate, "a GPU the pod holds failed"),
            RemediationStage.Annotated => AfterAnnotation(facts),
            RemediationStage.Draining => WhileDraining(facts),
            _ => facts.Mode == RemediationMode.Evict
                ? new(RemediationAction.Evict, "the eviction was decided and has not completed")
                : new(RemediationAction.Nothing, "the pod's mode no longer allows eviction"),
        };
    }

    /// <summary>DEAD, or DRAINING with nothing running (idle_duration_ms &gt; 0); a node that left the list is gone.</summary>
    public static bool Drained(RayNodeLookup? lookup) => lookup switch
    {
        { Failure: not RayGcsFailure.None } or null => false,
        { Node: null } => true,
        { Node.Status: RayNodeStatus.Dead } => true,
        { Node: { Status: RayNodeStatus.Draining, IdleDurationMs: > 0 } } => true,
        _ => false,
    };

    private static RemediationStep AfterAnnotation(RemediationFacts facts)
    {
        if (facts.Mode == RemediationMode.Annotate)
        {
            return new(RemediationAction.Nothing, "annotate mode: the pod is annotated");
        }

        if (facts.RayWorker)
        {
            return new(RemediationAction.RequestDrain, "the pod is a Ray worker");
        }

        return facts.Mode == RemediationMode.Evict
            ? new(RemediationAction.Evict, "the pod is no Ray node and non-Ray pods are evicted")
            : new(RemediationAction.Nothing, "the pod is no Ray node: nothing to drain");
    }

    private static RemediationStep WhileDraining(RemediationFacts facts)
    {
        if (!facts.RayWorker || facts.Mode < RemediationMode.Drain)
        {
            return facts.Mode == RemediationMode.Evict
                ? new(RemediationAction.Evict, "the pod is no Ray node and non-Ray pods are evicted")
                : new(RemediationAction.Nothing, "the pod's mode no longer asks for a drain");
        }

        var timedOut = facts.Now >= facts.Start + facts.DrainTimeout;
        if (facts.Mode == RemediationMode.Evict)
        {
            if (facts.Drain == DrainProgress.Accepted && Drained(facts.RayNode))
            {
                return new(RemediationAction.Evict, "Ray reports the node drained");
            }

            if (timedOut)
            {
                return new(RemediationAction.Evict, facts.Drain == DrainProgress.Accepted
                    ? "the drain timeout passed before Ray reported the node drained"
                    : "the drain timeout passed and Ray could not be asked to drain");
            }
        }
        else if (facts.Drain is DrainProgress.Accepted or DrainProgress.FailedFinal || timedOut)
        {
            return new(RemediationAction.Nothing, "drain mode: Ray was asked to drain the node");
        }

        return facts.Drain switch
        {
            DrainProgress.NotRequested or DrainProgress.FailedRetryable => new(RemediationAction.RequestDrain, "Ray has not accepted the drain yet"),
            _ => new(RemediationAction.AwaitDrain, "waiting for Ray to drain the node or for the drain timeout"),
        };
    }
}
