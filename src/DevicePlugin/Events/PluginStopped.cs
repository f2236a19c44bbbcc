namespace Platform.DevicePlugin.Events;

/// <summary>The plugin stopped serving the resource and removed its socket.</summary>
public sealed record PluginStopped(string ResourceName) : DevicePluginEvent(ResourceName);
