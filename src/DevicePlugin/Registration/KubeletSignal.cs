namespace Platform.DevicePlugin.Registration;

/// <summary>Something in the device-plugin directory that calls for re-listening or re-registering.</summary>
internal enum KubeletSignalKind
{
    /// <summary>kubelet.sock was created or replaced: the kubelet (re)started.</summary>
    KubeletSocketCreated,

    /// <summary>One of our sockets disappeared (a starting kubelet deletes every socket in the directory).</summary>
    PluginSocketDeleted,

    /// <summary>The watcher lost events (inotify overflow): check everything.</summary>
    Rescan,
}

/// <param name="Kind">What happened.</param>
/// <param name="SocketName">The affected socket file name (for <see cref="KubeletSignalKind.PluginSocketDeleted"/>).</param>
/// <param name="Source"><c>watcher</c> or <c>periodic-check</c>.</param>
/// <param name="ObservedTimestamp">Stopwatch timestamp when it was seen, to measure time to re-registration.</param>
internal sealed record KubeletSignal(KubeletSignalKind Kind, string? SocketName, string Source, long ObservedTimestamp);
