namespace Platform.DevicePlugin.Serving;

/// <summary>
/// Our socket path is served by another live process (typically another device plugin for the same
/// resource, such as NVIDIA's). The socket is left alone: deleting it would silently cut that plugin
/// off from the kubelet.
/// </summary>
internal sealed class SocketInUseException(string socketPath)
    : IOException($"socket {socketPath} is served by another live process (another device plugin for this resource, such as NVIDIA's); it is left alone and tried again until it is free")
{
    public string SocketPath { get; } = socketPath;
}
