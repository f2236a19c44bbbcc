namespace Platform.DevicePlugin.Configuration;

/// <summary>
/// One advertised resource: its name, socket, and whether it holds the shared (replicated) GPUs.
/// <paramref name="NamedByDevices"/>: a resource the inventory's devices name (a MIG profile), which
/// holds those devices only.
/// </summary>
internal sealed record ResourceSettings(string ResourceName, string SocketName, bool IsShared, bool NamedByDevices = false);
