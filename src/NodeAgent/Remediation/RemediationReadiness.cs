using Platform.NodeAgent.Diagnostics;

namespace Platform.NodeAgent.Remediation;

/// <summary>Adds a <c>/readyz</c> line only while remediation is on and something it needs is broken (never required).</summary>
internal sealed class RemediationReadiness(GpuRemediationService service) : IReadinessContributor
{
    public IEnumerable<ReadinessCheck> Checks()
    {
        if (service.Off is null && service.Problem is { } problem)
        {
            yield return new ReadinessCheck("gpu-remediation", false, false, problem);
        }
    }
}
