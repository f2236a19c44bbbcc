using System.Globalization;
using System.Text;

namespace Platform.NodeAgent.Metrics;

/// <summary>GPU remediation's metrics, always present (zero series included) so alerts see them before the first fault.</summary>
internal static partial class MetricsWriter
{
    private static void WriteRemediation(StringBuilder output, RemediationMetrics remediation)
    {
        Header(output, "raygpu_remediations_total", "counter", "Remediation actions on pods holding a failed GPU (and on the node), by action and result.");
        foreach (var ((action, result), count) in remediation.Remediations.OrderBy(p => p.Key.Action, StringComparer.Ordinal).ThenBy(p => p.Key.Result, StringComparer.Ordinal))
        {
            output.Append("raygpu_remediations_total{action=\"").Append(Escape(action)).Append("\",result=\"").Append(Escape(result))
                .Append("\"} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Header(output, "raygpu_remediation_rail_trips_total", "counter", "Remediation actions a safety rail stopped, by rail.");
        foreach (var (rail, count) in remediation.RailTrips.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.Append("raygpu_remediation_rail_trips_total{rail=\"").Append(Escape(rail)).Append("\"} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Header(output, "raygpu_remediations_in_flight", "gauge", "Pod remediations under way (a step pending: annotating, draining, evicting).");
        output.Append("raygpu_remediations_in_flight ").Append(remediation.InFlight.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Header(output, "raygpu_node_gpu_degraded", "gauge", "1 while the node breaker's raygpu.io/gpu-degraded taint is on this node.");
        output.Append("raygpu_node_gpu_degraded ").Append(remediation.Degraded ? '1' : '0').Append('\n');
        Histogram(output, "raygpu_remediation_drain_seconds", "Time from the GPU fault to Ray accepting the drain.", remediation.Drain);
        Histogram(output, "raygpu_remediation_eviction_seconds", "Time from the GPU fault to the pod's eviction.", remediation.Eviction);
    }
}
