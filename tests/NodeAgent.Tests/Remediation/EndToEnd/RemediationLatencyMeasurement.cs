using System.Globalization;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Tests.Fakes;
using Xunit.Abstractions;
using static Platform.NodeAgent.Tests.Remediation.EndToEnd.RemediationRig;

namespace Platform.NodeAgent.Tests.Remediation.EndToEnd;

/// <summary>
/// XID → DrainNode received by the GCS, and XID → eviction received by the API server, on the wall clock,
/// over the same real protocols as the end-to-end tests: a fresh rig per run, evict mode, and a Ray node
/// that reports itself drained as soon as the drain is accepted (so the second figure is the agent's own
/// latency, not Ray's drain time). Prints one line per run and the medians; asserts only that the flow ran.
/// </summary>
public sealed class RemediationLatencyMeasurement(ITestOutputHelper output)
{
    [MeasurementFact]
    public async Task XidToDrainNodeAndToEviction()
    {
        var runs = int.Parse(Environment.GetEnvironmentVariable(MeasurementFactAttribute.RunsVariable)!, CultureInfo.InvariantCulture);
        var drains = new List<double>();
        var evictions = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            await using var rig = await StartAsync("Remediation:Mode=Evict");
            rig.AddPod("ml", "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 1);
            await rig.Gcs.SetNodesAsync(new GcsNode(new string('a', 56), "10.0.0.7"));
            await rig.Gcs.SetDrainAsync("accept", afterAccept: "idle");
            await rig.StartAgentAsync();

            var xidAt = DateTimeOffset.UtcNow;
            await rig.XidAsync(1, 79);
            var drain = await rig.Gcs.NextAsync("DrainNode");
            await rig.EvictionAsync("rc-gpu-worker-a");
            var evictedAt = DateTimeOffset.UtcNow;

            // The GCS stamps requests with Date.now() on this machine's clock: the same clock as xidAt.
            drains.Add(drain.AtMs - xidAt.ToUnixTimeMilliseconds());
            evictions.Add((evictedAt - xidAt).TotalMilliseconds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run + 1}: XID -> DrainNode {drains[^1]:F0} ms, XID -> eviction {evictions[^1]:F0} ms"));
            Assert.Equal(RemediationNames.EventGpuFault, (await rig.EventAsync(RemediationNames.EventGpuFault, "rc-gpu-worker-a")).Reason);
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"median of {runs}: XID -> DrainNode {Median(drains):F0} ms (min {drains.Min():F0}, max {drains.Max():F0}); XID -> eviction {Median(evictions):F0} ms (min {evictions.Min():F0}, max {evictions.Max():F0})");
        output.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("RAYGPU_REMEDIATION_REPORT") is { Length: > 0 } report)
        {
            await File.WriteAllTextAsync(report, string.Join('\n', drains.Select((d, i) => string.Create(CultureInfo.InvariantCulture, $"run {i + 1}: XID -> DrainNode {d:F0} ms, XID -> eviction {evictions[i]:F0} ms")).Append(summary)) + "\n");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
