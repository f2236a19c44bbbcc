namespace Platform.NodeAgent.Diagnostics;

/// <summary>
/// One line of <c>/readyz</c>. <see cref="Required"/> checks decide readiness (503 when one fails);
/// the others are features that are off or degraded, reported as detail without failing readiness.
/// </summary>
internal sealed record ReadinessCheck(string Name, bool Ok, bool Required, string Detail)
{
    /// <summary>Ready: every required check passes (the others only add detail).</summary>
    public static bool AllRequiredPass(IEnumerable<ReadinessCheck> checks) => checks.All(c => c.Ok || !c.Required);
}

/// <summary>Contributes checks to <c>/readyz</c>; one per feature, registered in DI.</summary>
internal interface IReadinessContributor
{
    IEnumerable<ReadinessCheck> Checks();
}
