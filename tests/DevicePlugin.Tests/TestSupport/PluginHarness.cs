using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Hosting;
using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Tests.TestSupport;

/// <summary>The device plugin as the node agent hosts it: <c>AddDevicePlugin</c> in a generic host, configured from memory.</summary>
internal sealed class PluginHarness : IAsyncDisposable
{
    private PluginHarness(IHost host, RecordingObserver events, string directory)
    {
        Host = host;
        Events = events;
        Directory = directory;
        Inventory = host.Services.GetRequiredService<DeviceInventory>();
        Status = host.Services.GetRequiredService<DevicePluginStatus>();
    }

    public IHost Host { get; }

    public RecordingObserver Events { get; }

    public string Directory { get; }

    public DeviceInventory Inventory { get; }

    public DevicePluginStatus Status { get; }

    public static IHost Build(string directory, IDictionary<string, string?>? config, TimeProvider? time, RecordingObserver events)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>
        {
            ["DevicePlugin:KubeletDirectory"] = directory,
            ["DevicePlugin:ListAndWatchCoalesce"] = "00:00:00",
        };
        foreach (var (key, value) in config ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddDevicePlugin(builder.Configuration);
        builder.Services.AddSingleton<IDevicePluginObserver>(events);
        return builder.Build();
    }

    public static async Task<PluginHarness> StartAsync(
        string directory,
        IEnumerable<GpuDevice>? devices,
        IDictionary<string, string?>? config = null,
        IEnumerable<GpuLink>? links = null,
        TimeProvider? time = null)
    {
        var events = new RecordingObserver();
        var host = Build(directory, config, time, events);
        var harness = new PluginHarness(host, events, directory);
        if (devices is not null)
        {
            harness.Inventory.SetDevices(devices, links);
        }

        await host.StartAsync().DefaultTimeout();
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync().DefaultTimeout();
        Host.Dispose();
    }
}
