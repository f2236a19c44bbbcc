using PluginDevice = Platform.DevicePlugin.Inventory.GpuDevice;

namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>
/// What the node advertises under a MIG strategy: the device plugin's devices (whole GPUs and MIG
/// devices), the parent of every advertised MIG device (health follows it), and the problem that
/// stopped a layout from being advertised (null when there is none). <see cref="Resources"/> counts, per
/// resource (null: the configured one), the devices the strategy assigns there whether or not the layout
/// could be advertised, next to what is advertised: a node advertising less than it has shows there.
/// </summary>
internal sealed record MigPlan(
    MigStrategy Strategy,
    IReadOnlyList<PluginDevice> Devices,
    IReadOnlyDictionary<string, MigDevice> AdvertisedMig,
    string? Problem)
{
    public IReadOnlyList<(string? Resource, int Found, int Advertised)> Resources { get; init; } = [];

    /// <summary>The MIG devices advertised on the parent GPU <paramref name="parentUuid"/>.</summary>
    public IEnumerable<MigDevice> ChildrenOf(string parentUuid) =>
        AdvertisedMig.Values.Where(m => string.Equals(m.ParentUuid, parentUuid, StringComparison.OrdinalIgnoreCase));
}
