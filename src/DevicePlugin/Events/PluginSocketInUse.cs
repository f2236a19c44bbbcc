namespace Platform.DevicePlugin.Events;

/// <summary>
/// Another live process serves the resource's socket path, so the plugin does not listen; it tries again
/// after <paramref name="RetryIn"/>. <paramref name="Attempt"/> is 1 for the first refusal of an episode.
/// </summary>
public sealed record PluginSocketInUse(string ResourceName, string SocketPath, int Attempt, TimeSpan RetryIn) : DevicePluginEvent(ResourceName);
