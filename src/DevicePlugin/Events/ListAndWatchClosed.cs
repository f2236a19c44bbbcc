namespace Platform.DevicePlugin.Events;

/// <summary>A ListAndWatch stream ended (<paramref name="Reason"/>: <c>client-gone</c>, <c>plugin-stopping</c>, or an error).</summary>
public sealed record ListAndWatchClosed(string ResourceName, long StreamId, string Reason, int ActiveStreams) : DevicePluginEvent(ResourceName);
