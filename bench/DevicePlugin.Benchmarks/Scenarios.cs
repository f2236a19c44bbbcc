using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Hosting;
using Platform.DevicePlugin.Inventory;
using Platform.DevicePlugin.Transport;
using V1Beta1;

namespace Platform.DevicePlugin.Benchmarks;

internal static class Scenarios
{
    private static readonly TimeSpan AllocateTarget = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan HealthTarget = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RestartTarget = TimeSpan.FromSeconds(1);

    public static async Task AllocateRoundTripAsync()
    {
        Console.WriteLine();
        Console.WriteLine("## Allocate round trip over the Unix socket, client in another process (20 000 calls after 2 000 warm-up)");
        using var dir = new BenchDirectory();
        await using var kubelet = await BenchKubelet.StartAsync(dir.Path);
        var recorder = new SentRecorder();
        using var plugin = await StartPluginAsync(dir.Path, Gpus(8), [], recorder);
        await kubelet.Registrations.Reader.ReadAsync();

        var socket = Path.Combine(dir.Path, "nvidia-gpu.sock");
        var output = await RunClientProcessAsync(socket, 20_000, Uuid(3));
        var figures = JsonSerializer.Deserialize<double[][]>(output)!;
        var allocate = figures[0];
        var floor = figures[1];
        Console.WriteLine($"Allocate              p50={allocate[1]:F3} ms  p90={allocate[2]:F3} ms  p99={allocate[3]:F3} ms  max={allocate[4]:F3} ms");
        Console.WriteLine($"baseline: GetDevicePluginOptions (transport floor, same run) p50={floor[1]:F3} ms  p99={floor[3]:F3} ms");
        Console.WriteLine($"inside the plugin (validate + build response, DevicesAllocated.Duration): {Percentiles.Of(recorder.Allocations.Skip(2000))}");
        Console.WriteLine($"target p99 <= {AllocateTarget.TotalMilliseconds:F0} ms: p99/target = {allocate[3] / AllocateTarget.TotalMilliseconds:F2}  ({(allocate[3] <= AllocateTarget.TotalMilliseconds ? "met" : "MISSED")});  p99/floor = {allocate[3] / floor[3]:F2}");
    }

    public static async Task HealthToStreamAsync()
    {
        Console.WriteLine();
        Console.WriteLine("## Health change in the inventory -> delivered on ListAndWatch (500 changes, default 10 ms coalescing, and 0)");
        foreach (var coalesce in new[] { "00:00:00.010", "00:00:00" })
        {
            using var dir = new BenchDirectory();
            await using var kubelet = await BenchKubelet.StartAsync(dir.Path);
            using var plugin = await StartPluginAsync(dir.Path, Gpus(8), new() { ["DevicePlugin:ListAndWatchCoalesce"] = coalesce });
            await kubelet.Registrations.Reader.ReadAsync();
            using var channel = UnixSocketChannel.Create(Path.Combine(dir.Path, "nvidia-gpu.sock"));
            using var call = new V1Beta1.DevicePlugin.DevicePluginClient(channel).ListAndWatch(new Empty());
            var stream = call.ResponseStream;
            await stream.MoveNext();
            var inventory = plugin.Services.GetRequiredService<DeviceInventory>();
            var samples = new List<TimeSpan>();
            for (var i = 0; i < 550; i++)
            {
                // Even steps break a GPU, odd steps heal the same one: every step is a real change.
                var health = i % 2 == 0 ? DeviceHealth.Unhealthy : DeviceHealth.Healthy;
                var start = Stopwatch.GetTimestamp();
                inventory.SetHealth(Uuid(i / 2 % 8), health, "bench");
                await stream.MoveNext();
                if (i >= 50)
                {
                    samples.Add(Stopwatch.GetElapsedTime(start));
                }
            }

            var p = Percentiles.Of(samples);
            Console.WriteLine($"coalesce {TimeSpan.Parse(coalesce, System.Globalization.CultureInfo.InvariantCulture).TotalMilliseconds,2:F0} ms: {p}");
            Console.WriteLine($"  target p99 <= {HealthTarget.TotalMilliseconds:F0} ms: p99/target = {p.P99 / HealthTarget.TotalMilliseconds:F2} ({(p.P99 <= HealthTarget.TotalMilliseconds ? "met" : "MISSED")})");
        }
    }

    public static async Task KubeletRestartAsync()
    {
        Console.WriteLine();
        Console.WriteLine("## Kubelet restart -> registered again (20 restarts: sockets deleted, new kubelet.sock)");
        using var dir = new BenchDirectory();
        var kubelet = await BenchKubelet.StartAsync(dir.Path);
        using var plugin = await StartPluginAsync(dir.Path, Gpus(8), []);
        await kubelet.Registrations.Reader.ReadAsync();
        var inventory = plugin.Services.GetRequiredService<DeviceInventory>();
        var version = inventory.Current.Version;
        var sinceDeletion = new List<TimeSpan>();
        var sinceListening = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            await kubelet.DisposeAsync();
            var start = Stopwatch.GetTimestamp();
            foreach (var file in Directory.GetFiles(dir.Path))
            {
                File.Delete(file);
            }

            kubelet = await BenchKubelet.StartAsync(dir.Path);
            var (_, registeredAt) = await kubelet.Registrations.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            sinceDeletion.Add(Stopwatch.GetElapsedTime(start, registeredAt));
            sinceListening.Add(Stopwatch.GetElapsedTime(kubelet.ListeningTimestamp, registeredAt));
        }

        await kubelet.DisposeAsync();
        var fromDeletion = Percentiles.Of(sinceDeletion);
        var fromListening = Percentiles.Of(sinceListening);
        Console.WriteLine($"from socket deletion:         p50={fromDeletion.P50:F1} ms  max={fromDeletion.Max:F1} ms");
        Console.WriteLine($"from new kubelet.sock ready:  p50={fromListening.P50:F1} ms  max={fromListening.Max:F1} ms");
        Console.WriteLine($"target max <= {RestartTarget.TotalMilliseconds:F0} ms: max/target = {fromDeletion.Max / RestartTarget.TotalMilliseconds:F3} ({(fromDeletion.Max <= RestartTarget.TotalMilliseconds ? "met" : "MISSED")}); inventory untouched: {inventory.Current.Version == version}");
    }

    public static async Task LargeListAsync()
    {
        Console.WriteLine();
        Console.WriteLine("## 8 GPUs x 16 replicas (128 devices): ListAndWatch message build, and build + send on a live stream");
        using var dir = new BenchDirectory();
        await using var kubelet = await BenchKubelet.StartAsync(dir.Path);
        var events = new SentRecorder();
        using var plugin = await StartPluginAsync(dir.Path, Gpus(8), new() { ["DevicePlugin:Sharing:Replicas"] = "16", ["DevicePlugin:ListAndWatchCoalesce"] = "00:00:00" }, events);
        await kubelet.Registrations.Reader.ReadAsync();
        var host = plugin.Services.GetServices<IHostedService>().OfType<DevicePluginHost>().Single();
        var resource = host.Plugins[0];

        for (var i = 0; i < 2000; i++)
        {
            resource.BuildDeviceList(resource.CurrentLayout());
        }

        var builds = new List<TimeSpan>();
        var size = 0;
        for (var i = 0; i < 5000; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var message = resource.BuildDeviceList(resource.CurrentLayout());
            builds.Add(Stopwatch.GetElapsedTime(start));
            size = message.CalculateSize();
        }

        using var channel = UnixSocketChannel.Create(Path.Combine(dir.Path, "nvidia-gpu.sock"));
        using var call = new V1Beta1.DevicePlugin.DevicePluginClient(channel).ListAndWatch(new Empty());
        await call.ResponseStream.MoveNext();
        var inventory = plugin.Services.GetRequiredService<DeviceInventory>();
        var endToEnd = new List<TimeSpan>();
        for (var i = 0; i < 550; i++)
        {
            var start = Stopwatch.GetTimestamp();
            inventory.SetHealth(Uuid(i % 8), i % 16 < 8 ? DeviceHealth.Unhealthy : DeviceHealth.Healthy, "bench");
            await call.ResponseStream.MoveNext();
            if (i >= 50)
            {
                endToEnd.Add(Stopwatch.GetElapsedTime(start));
            }
        }

        Console.WriteLine($"devices per message: {call.ResponseStream.Current.Devices.Count}, {size} bytes");
        Console.WriteLine($"build (layout + message):            {Percentiles.Of(builds)}");
        Console.WriteLine($"build + send (plugin side):          {Percentiles.Of(events.Durations.Skip(51))}");
        Console.WriteLine($"change -> received by client:        {Percentiles.Of(endToEnd)}");
    }

    private static async Task<IHost> StartPluginAsync(string directory, GpuDevice[] gpus, Dictionary<string, string?> config, IDevicePluginObserver? observer = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        config["DevicePlugin:KubeletDirectory"] = directory;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddDevicePlugin(builder.Configuration);
        if (observer is not null)
        {
            builder.Services.AddSingleton(observer);
        }

        var host = builder.Build();
        host.Services.GetRequiredService<DeviceInventory>().SetDevices(gpus);
        await host.StartAsync();
        return host;
    }

    private static async Task<string> RunClientProcessAsync(string socket, int iterations, string deviceId)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (var arg in new[] { "client", socket, iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), deviceId })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"client process failed with exit code {process.ExitCode}");
        }

        return output.Trim();
    }

    private static string Uuid(int index) => $"GPU-{index:D8}-0000-4000-8000-000000000000";

    private static GpuDevice[] Gpus(int count) =>
        Enumerable.Range(0, count).Select(i => new GpuDevice { Uuid = Uuid(i), Index = i, NumaNode = i / 4 }).ToArray();

    private sealed class SentRecorder : IDevicePluginObserver
    {
        public List<TimeSpan> Durations { get; } = [];

        public List<TimeSpan> Allocations { get; } = [];

        public void OnEvent(DevicePluginEvent pluginEvent)
        {
            if (pluginEvent is DeviceListSent sent)
            {
                lock (Durations)
                {
                    Durations.Add(sent.BuildAndSendDuration);
                }
            }
            else if (pluginEvent is DevicesAllocated allocated)
            {
                lock (Allocations)
                {
                    Allocations.Add(allocated.Duration);
                }
            }
        }
    }

    private sealed class BenchDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("dpb-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }
}
