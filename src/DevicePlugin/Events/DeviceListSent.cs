namespace Platform.DevicePlugin.Events;

/// <summary>A complete device list was sent on a stream.</summary>
public sealed record DeviceListSent(string ResourceName, long StreamId, long InventoryVersion, int Healthy, int Unhealthy, TimeSpan BuildAndSendDuration) : DevicePluginEvent(ResourceName)
{
    /// <summary>Physical GPUs behind the list: with time-slicing each GPU is several device IDs, and
    /// comparing GPUs (not IDs) with what discovery found is what tells a GPU went missing.</summary>
    public int Gpus { get; init; }
}
