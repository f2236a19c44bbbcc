namespace Platform.DevicePlugin.Events;

/// <summary>An Allocate succeeded for one container. <paramref name="VisibleDevices"/> is what the pod sees
/// (UUIDs or indexes per <c>DeviceIdStrategy</c>); <paramref name="PhysicalUuids"/> the GPUs behind the request.</summary>
public sealed record DevicesAllocated(
    string ResourceName,
    IReadOnlyList<string> RequestedIds,
    IReadOnlyList<string> PhysicalUuids,
    IReadOnlyList<string> VisibleDevices,
    TimeSpan Duration) : DevicePluginEvent(ResourceName);
