namespace Platform.NodeAgent.Remediation;

/// <summary>Where the request to Ray to drain the pod's node stands.</summary>
internal enum DrainProgress
{
    NotRequested,
    Accepted,

    /// <summary>The GCS did not answer (unreachable, error): asked again at the next poll.</summary>
    FailedRetryable,

    /// <summary>No Ray node has the pod's IP, the drain was rejected, or the GCS needs a token: not asked again.</summary>
    FailedFinal,
}
