using System.Diagnostics;
using System.Text;
using Platform.DevicePlugin.Benchmarks;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Benchmarks;

/// <summary>The scrape's own work, in process: rendering the snapshot of N GPUs, each attributed to two pods.</summary>
internal static class RenderBenchmark
{
    public static Percentiles Run(int gpus)
    {
        using var driver = new SimulatedGpuDriver(new SimulatedGpuOptions { Count = gpus }, TimeProvider.System);
        var discovery = driver.Discover();
        var snapshot = new GpuSnapshot(DateTimeOffset.UtcNow, [.. discovery.Devices.Select(d => new GpuReading(d, driver.Sample(d)))]);
        var attribution = discovery.Devices.ToDictionary(
            d => d.Uuid,
            d => (IReadOnlyList<PodRef>)[new PodRef("ml", $"w-{d.Index}-a", "ray-worker", "rc", "gpu"), new PodRef("ml", $"w-{d.Index}-b", "ray-worker", "rc", "gpu")]);
        var view = new MetricsView("bench-node", discovery, snapshot,
            [.. discovery.Devices.Select(d => (d, GpuHealthState.Healthy, string.Empty))],
            new Dictionary<string, ulong>(), attribution, new AgentMetrics());
        var samples = new List<TimeSpan>();
        for (var i = 0; i < 2000; i++)
        {
            var before = Stopwatch.GetTimestamp();
            var text = new StringBuilder(16 * 1024);
            MetricsWriter.Write(text, view);
            _ = text.ToString();
            samples.Add(Stopwatch.GetElapsedTime(before));
        }

        return Percentiles.Of(samples.Skip(200));
    }
}
