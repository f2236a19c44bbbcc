using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Hosting;

/// <summary>The resources an inventory names beyond the configured ones (<see cref="GpuDevice.ResourceName"/>), in name order.</summary>
internal static class InventoryResources
{
    public static IReadOnlyList<ResourceSettings> From(InventorySnapshot snapshot, PluginSettings settings)
    {
        var configured = settings.Resources.Select(r => r.ResourceName).ToHashSet(StringComparer.Ordinal);
        return
        [
            .. snapshot.Devices
                .Select(d => d.ResourceName)
                .OfType<string>()
                .Where(name => !configured.Contains(name))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .Select(name => new ResourceSettings(name, DevicePluginOptionsValidator.DeriveSocketName(name), IsShared: false, NamedByDevices: true)),
        ];
    }
}
