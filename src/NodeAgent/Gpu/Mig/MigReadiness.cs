using System.Globalization;
using Platform.NodeAgent.Diagnostics;

namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>
/// The <c>mig</c> line of <c>/readyz</c>: the strategy and what it advertises, or the layout problem.
/// A problem fails readiness: the node advertises nothing until the layout or the strategy is fixed.
/// </summary>
internal sealed class MigReadiness(MigPlan plan) : IReadinessContributor
{
    public IEnumerable<ReadinessCheck> Checks()
    {
        var name = MigStrategies.Name(plan.Strategy);
        yield return plan.Problem is { } problem
            ? new ReadinessCheck("mig", false, true, $"strategy {name}: {problem}; nothing is advertised")
            : new ReadinessCheck("mig", true, false, string.Create(CultureInfo.InvariantCulture, $"strategy {name}: {plan.AdvertisedMig.Count} MIG devices advertised"));
    }
}
