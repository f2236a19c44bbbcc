namespace Platform.DevicePlugin.Configuration;

/// <summary>One advertised resource: its name, socket, and whether it holds the shared (replicated) GPUs.</summary>
internal sealed record ResourceSettings(string ResourceName, string SocketName, bool IsShared);
