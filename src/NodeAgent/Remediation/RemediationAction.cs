namespace Platform.NodeAgent.Remediation;

/// <summary>The next thing to do for one pod.</summary>
internal enum RemediationAction
{
    /// <summary>Nothing now: done, waiting for nothing, or not ours to act on.</summary>
    Nothing,
    Annotate,
    RequestDrain,

    /// <summary>The drain is under way: read the Ray node's state again at the next poll.</summary>
    AwaitDrain,

    /// <summary>Evict, once the safety rails allow it.</summary>
    Evict,

    /// <summary>The GPU recovered first: mark the pod recovered and do nothing more.</summary>
    Cancel,
}
