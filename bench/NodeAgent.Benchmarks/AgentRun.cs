using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Platform.DevicePlugin.Benchmarks;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Benchmarks;

internal sealed record AgentResult(
    TimeSpan StartToRegistered,
    Percentiles Scrape,
    Percentiles Healthz,
    long RssKiB,
    long PeakRssKiB,
    int SeriesPerScrape,
    bool Attributed,
    bool Failed,
    string? Error);

/// <summary>
/// Starts the agent as a separate process with simulated GPUs against a kubelet stand-in and a
/// pod-resources stand-in that attributes every GPU to a pod, then scrapes /metrics once a second.
/// </summary>
internal static class AgentRun
{
    public static async Task<AgentResult> RunAsync(BenchOptions options)
    {
        var directory = Directory.CreateDirectory(Path.Combine("/tmp", "nab-" + Guid.NewGuid().ToString("N")[..8]));
        var podResourcesSocket = Path.Combine(directory.FullName, "pod-resources.sock");
        await using var kubelet = await BenchKubelet.StartAsync(directory.FullName);
        await kubelet.WarmUpAsync(directory.FullName);
        await using var podResources = await FakePodResources.StartAsync(podResourcesSocket);
        podResources.SetPods([.. Enumerable.Range(0, options.Gpus).Select(i =>
            FakePodResources.Pod("ml", $"raycluster-gpu-worker-{i}", "ray-worker", "nvidia.com/gpu", SimulatedGpuDriver.UuidFor(i)))]);

        var port = FreePort();
        var agentArgs = new List<string>
        {
            $"--urls=http://127.0.0.1:{port}",
            "--Gpu:Driver=simulated",
            $"--Gpu:Simulated:Count={options.Gpus}",
            "--Gpu:Simulated:Product=NVIDIA H100 80GB HBM3",
            "--Gpu:Simulated:MemoryMiB=81559",
            "--Gpu:Simulated:ComputeCapability=9.0",
            "--Gpu:Simulated:NvLink=true",
            $"--DevicePlugin:KubeletDirectory={directory.FullName}",
            $"--Metrics:PodResourcesSocket={podResourcesSocket}",
            "--Kubernetes:Enabled=false",
            "--Node:Name=bench-node",
            "--Logging:LogLevel:Default=Warning",

            // A benchmark run inside a pod is still a laptop run: no API access, nothing advertised to a real kubelet.
            "--Gpu:Simulated:AllowInCluster=true",
        };
        var start = new ProcessStartInfo(options.IsDll ? "dotnet" : options.AgentPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.IsDll)
        {
            start.ArgumentList.Add(options.AgentPath);
        }

        foreach (var arg in agentArgs)
        {
            start.ArgumentList.Add(arg);
        }

        // The DaemonSet runs the agent under a memory limit (charts/platform: nodeAgent.resources.limits.memory),
        // and in a container with a limit .NET caps its GC heap at 75 % of it, which also sizes the GC's regions
        // and bookkeeping. This process has no cgroup limit, so it gets the same cap the chart's limit gives.
        if (options.MemoryLimitMiB > 0)
        {
            start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + (options.MemoryLimitMiB * 1024L * 1024 * 3 / 4).ToString("X", CultureInfo.InvariantCulture);
        }

        var started = Stopwatch.GetTimestamp();
        using var agent = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        agent.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        agent.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        try
        {
            var registration = await kubelet.Registrations.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            var startToRegistered = Stopwatch.GetElapsedTime(started, registration.Timestamp);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var attributed = await WaitForAttributionAsync(http);
            var samples = new List<TimeSpan>();
            var healthz = new List<TimeSpan>();
            var page = new byte[1024 * 1024];
            var series = 0;
            // A scrape every second, and half-way between two scrapes the same server's cheapest answer timed the
            // same way: both follow the same idle time, so /healthz shows what any request costs on this machine
            // after a pause (wake-ups, outliers) and the scrape's figure can be read against it.
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            for (var tick = 0; tick < 2 * options.Seconds && await timer.WaitForNextTickAsync(); tick++)
            {
                if (tick % 2 == 1)
                {
                    healthz.Add(Scrape(http, page, "/healthz").Elapsed);
                    continue;
                }

                var (elapsed, length) = Scrape(http, page, "/metrics");
                samples.Add(elapsed);
                series = System.Text.Encoding.UTF8.GetString(page, 0, length).Split('\n').Count(l => l.StartsWith("DCGM_FI_", StringComparison.Ordinal));
            }

            var (rss, peak) = ReadRss(agent.Id);
            return new AgentResult(startToRegistered, Percentiles.Of(samples), Percentiles.Of(healthz), rss, peak, series, attributed, Failed: false, null);
        }
        catch (Exception ex) when (ex is TimeoutException or HttpRequestException or IOException)
        {
            lock (output)
            {
                return new AgentResult(TimeSpan.Zero, Percentiles.Of([TimeSpan.Zero]), Percentiles.Of([TimeSpan.Zero]), 0, 0, 0, false, Failed: true, $"{ex.Message}\n{output}");
            }
        }
        finally
        {
            // SIGTERM: the agent's graceful shutdown path (streams closed, socket removed).
            using (var kill = Process.Start("kill", ["-TERM", agent.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            if (!agent.WaitForExit(15_000))
            {
                agent.Kill();
            }

            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// One timed scrape with blocking I/O on this thread over the kept-alive connection, into a reused buffer:
    /// no thread-pool hop for the response and no allocation of the page inside the timed part, so what is
    /// timed is the agent serving the page (an async client measured this process's wake-ups, 5-16 ms outliers).
    /// </summary>
    private static (TimeSpan Elapsed, int Length) Scrape(HttpClient http, byte[] page, string path)
    {
        var before = Stopwatch.GetTimestamp();
        using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var body = response.Content.ReadAsStream();
        var length = 0;
        int read;
        while ((read = body.Read(page, length, page.Length - length)) > 0)
        {
            length += read;
        }

        return (Stopwatch.GetElapsedTime(before), length);
    }

    /// <summary>Attribution needs one pod-resources List after start; wait until the scrape shows pods.</summary>
    private static async Task<bool> WaitForAttributionAsync(HttpClient http)
    {
        for (var i = 0; i < 100; i++)
        {
            if ((await http.GetStringAsync("/metrics")).Contains("pod=\"raycluster-gpu-worker-0\"", StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static (long Rss, long Peak) ReadRss(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return (rss, peak);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
