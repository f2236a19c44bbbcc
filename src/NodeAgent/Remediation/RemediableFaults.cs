using Platform.NodeAgent.Health;

namespace Platform.NodeAgent.Remediation;

/// <summary>Which health transitions start a remediation.</summary>
internal static class RemediableFaults
{
    /// <summary>
    /// Faults the health code already classifies as fatal (they need a GPU reset): the fatal XIDs, double-bit
    /// ECC, row-remap failure, a lost GPU. Pending page retirement is fatal too but harms nothing running: the
    /// pages retire at the next reset. Transient faults (over-temperature, failed probes, other XIDs) recover
    /// by themselves, and application XIDs never make a transition at all.
    /// </summary>
    public static bool IsRemediable(HealthTransition transition) =>
        transition.To == GpuHealthState.Unhealthy && transition.Fatal && transition.Reason != HealthReasons.PendingPageRetirement;
}
