namespace Platform.DevicePlugin.Events;

/// <summary>The kubelet opened a ListAndWatch stream.</summary>
public sealed record ListAndWatchOpened(string ResourceName, long StreamId, int ActiveStreams) : DevicePluginEvent(ResourceName);
