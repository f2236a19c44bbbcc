namespace Platform.DevicePlugin.Events;

/// <summary>GetPreferredAllocation answered; <paramref name="TopologyAligned"/> is false when topology was missing or could not be honoured.</summary>
public sealed record PreferredAllocationComputed(string ResourceName, IReadOnlyList<string> DeviceIds, bool TopologyAligned) : DevicePluginEvent(ResourceName);
