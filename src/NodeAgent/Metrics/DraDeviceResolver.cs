using Microsoft.Extensions.Options;
using Platform.NodeAgent.Dra;
using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// Maps a device the kubelet reports as allocated through DRA (driver, pool, device name in pod-resources'
/// <c>ClaimResource</c>) back to the GPU's UUID, so pods holding GPUs through claims are attributed exactly as
/// pods holding them through the device plugin. Only this driver's devices in this node's pool resolve.
/// </summary>
internal sealed class DraDeviceResolver
{
    private readonly string _driver;
    private readonly string? _pool;
    private readonly Dictionary<int, string> _uuids;

    public DraDeviceResolver(string driver, string? nodeName, GpuDiscovery discovery)
    {
        _driver = driver;
        _pool = nodeName;
        _uuids = discovery.Devices.ToDictionary(d => d.Index, d => d.Uuid);
    }

    /// <summary>The resolver in DRA mode; null in device-plugin mode, where pod-resources' DRA entries are not the agent's.</summary>
    public static DraDeviceResolver? For(IServiceProvider services)
    {
        var dra = services.GetRequiredService<IOptions<DraOptions>>().Value;
        return dra.Enabled
            ? new DraDeviceResolver(dra.DriverName, services.GetRequiredService<IOptions<Labels.NodeOptions>>().Value.Name, services.GetRequiredService<GpuRuntime>().Discovery)
            : null;
    }

    public string? Resolve(string driver, string pool, string device) =>
        driver == _driver
        && (_pool is null || pool == _pool)
        && DraDeviceName.TryParse(device, out var index)
        && _uuids.TryGetValue(index, out var uuid)
            ? uuid
            : null;
}
