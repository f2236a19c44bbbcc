using Platform.DevicePlugin.Inventory;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using PluginDevice = Platform.DevicePlugin.Inventory.GpuDevice;

namespace Platform.NodeAgent.Inventory;

/// <summary>Turns discovery into the device-plugin library's inventory types. Pure.</summary>
internal static class InventoryMapper
{
    public static PluginDevice ToPluginDevice(Gpu.GpuDevice device) => new()
    {
        Uuid = device.Uuid,
        Index = device.Index,
        NumaNode = device.NumaNode,
        ProductName = device.Name,
        PciBusId = device.PciBusId,
        DeviceNodes = [device.DevicePath],
    };

    public static Platform.DevicePlugin.Inventory.GpuLink? ToPluginLink(Gpu.GpuLink link, GpuDiscovery discovery)
    {
        var a = discovery.Devices.FirstOrDefault(d => d.Index == link.IndexA);
        var b = discovery.Devices.FirstOrDefault(d => d.Index == link.IndexB);
        return a is null || b is null
            ? null
            : new Platform.DevicePlugin.Inventory.GpuLink(a.Uuid, b.Uuid, link.Level, link.NvLinks);
    }

    public static DeviceHealth ToDeviceHealth(GpuHealthState state) =>
        state == GpuHealthState.Healthy ? DeviceHealth.Healthy : DeviceHealth.Unhealthy;
}
