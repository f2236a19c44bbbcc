namespace Platform.DevicePlugin.Events;

/// <summary>A complete device list was sent on a stream.</summary>
public sealed record DeviceListSent(string ResourceName, long StreamId, long InventoryVersion, int Healthy, int Unhealthy, TimeSpan BuildAndSendDuration) : DevicePluginEvent(ResourceName);
