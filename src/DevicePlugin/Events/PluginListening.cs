namespace Platform.DevicePlugin.Events;

/// <summary>The plugin's gRPC server listens on its socket and answered its own probe.</summary>
public sealed record PluginListening(string ResourceName, string SocketPath, TimeSpan StartDuration) : DevicePluginEvent(ResourceName);
