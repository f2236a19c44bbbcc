using Platform.DevicePlugin.Benchmarks;

namespace Platform.NodeAgent.Benchmarks;

/// <summary>
/// Prints each figure next to its target and NVIDIA's published figure (REFERENCE.md §2: device plugin
/// about 25 MiB RSS; dcgm-exporter 0.4-0.5 GiB RSS, one pod-resources connection per scrape). NVIDIA's
/// components need a GPU node and cannot run here, so their figures are the documented ones, not
/// measured in this run.
/// </summary>
internal static class Report
{
    private const double NvidiaPluginMiB = 25;
    private const double DcgmExporterMiB = 450;

    public static void Print(AgentResult result, Percentiles render, BenchOptions options)
    {
        if (result.Failed)
        {
            Console.WriteLine($"FAILED: {result.Error}");
            return;
        }

        var rssMiB = result.RssKiB / 1024.0;
        var peakMiB = result.PeakRssKiB / 1024.0;
        Console.WriteLine();
        Console.WriteLine($"{"figure",-34} {"measured",14} {"target",10}  comparison");
        Row("RSS after the scrape run", $"{rssMiB:F1} MiB", "≤ 40 MiB", rssMiB <= 40,
            $"NVIDIA plugin ~{NvidiaPluginMiB} MiB + dcgm-exporter ~{DcgmExporterMiB} MiB = {NvidiaPluginMiB + DcgmExporterMiB} MiB → {rssMiB / (NvidiaPluginMiB + DcgmExporterMiB):P1} of that");
        Row("peak RSS (VmHWM)", $"{peakMiB:F1} MiB", "≤ 40 MiB", peakMiB <= 40, $"{peakMiB / NvidiaPluginMiB:F2}× NVIDIA's plugin alone");
        Row("start → registered with kubelet", $"{result.StartToRegistered.TotalMilliseconds:F0} ms", "≤ 500 ms", result.StartToRegistered.TotalMilliseconds <= 500,
            "NVIDIA plugin: not published");
        Row("scrape p50 (HTTP, 8 GPUs + pods)", $"{result.Scrape.P50:F2} ms", "≤ 5 ms", result.Scrape.P50 <= 5, "dcgm-exporter: calls DCGM and the kubelet per scrape");
        Row("scrape p99", $"{result.Scrape.P99:F2} ms", "≤ 5 ms", result.Scrape.P99 <= 5,
            $"/healthz on the same server, same run: p50 {result.Healthz.P50:F2} ms, p99 {result.Healthz.P99:F2} ms");
        Row("render p50 (in-process)", $"{render.P50 * 1000:F0} µs", string.Empty, true, $"p99 {render.P99 * 1000:F0} µs");
        Console.WriteLine();
        Console.WriteLine($"scrape samples: {result.Scrape}; /healthz samples: {result.Healthz}; DCGM series per scrape: {result.SeriesPerScrape}; pods attributed: {result.Attributed}");
        Console.WriteLine($"agent: {options.AgentDescription}");
    }

    private static void Row(string name, string measured, string target, bool met, string comparison) =>
        Console.WriteLine($"{name,-34} {measured,14} {target,10}{(target.Length == 0 ? "  " : met ? " ✓" : " ✗")} {comparison}");
}
