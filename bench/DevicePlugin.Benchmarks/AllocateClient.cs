using System.Diagnostics;
using System.Text.Json;
using Platform.DevicePlugin.Transport;
using V1Beta1;

namespace Platform.DevicePlugin.Benchmarks;

/// <summary>
/// Runs in a separate process, as the kubelet does: Allocate round trips over the plugin's Unix socket,
/// and, as the same-run baseline, GetDevicePluginOptions (the transport floor: no work in the plugin).
/// Prints one JSON line with both latency samples' percentiles.
/// </summary>
internal static class AllocateClient
{
    public static async Task<int> RunAsync(string socket, int iterations, string deviceId)
    {
        using var channel = UnixSocketChannel.Create(socket);
        var client = new V1Beta1.DevicePlugin.DevicePluginClient(channel);
        var request = new AllocateRequest { ContainerRequests = { new ContainerAllocateRequest { DevicesIds = { deviceId } } } };
        var empty = new Empty();

        for (var i = 0; i < 2000; i++)
        {
            await client.AllocateAsync(request);
            await client.GetDevicePluginOptionsAsync(empty);
        }

        var allocate = new TimeSpan[iterations];
        var floor = new TimeSpan[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.AllocateAsync(request);
            allocate[i] = Stopwatch.GetElapsedTime(start);
            start = Stopwatch.GetTimestamp();
            await client.GetDevicePluginOptionsAsync(empty);
            floor[i] = Stopwatch.GetElapsedTime(start);
        }

        var result = new[] { Percentiles.Of(allocate), Percentiles.Of(floor) };
        Console.WriteLine(JsonSerializer.Serialize(result.Select(p => new[] { p.Count, p.P50, p.P90, p.P99, p.Max })));
        return 0;
    }
}
