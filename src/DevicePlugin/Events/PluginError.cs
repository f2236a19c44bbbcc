namespace Platform.DevicePlugin.Events;

/// <summary>An unexpected failure in <paramref name="Operation"/> (serving, registering, streaming); the plugin carries on.</summary>
public sealed record PluginError(string ResourceName, string Operation, Exception Exception) : DevicePluginEvent(ResourceName);
