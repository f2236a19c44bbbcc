using System.Diagnostics;
using System.Threading.Channels;

namespace Platform.DevicePlugin.Registration;

/// <summary>
/// Watches the device-plugin directory for a kubelet restart: kubelet.sock created, or one of our sockets
/// deleted. inotify events arrive within milliseconds; a cheap periodic check (two stats per socket)
/// catches anything the watcher misses (overflow, a directory re-mounted under us).
/// </summary>
internal sealed class KubeletWatcher : IDisposable
{
    private readonly string _directory;
    private readonly IReadOnlyCollection<string> _pluginSockets;
    private readonly ChannelWriter<KubeletSignal> _signals;
    private readonly FileSystemWatcher? _watcher;
    private (bool Exists, DateTime Written, DateTime Created) _kubeletSocket;

    public KubeletWatcher(string directory, IReadOnlyCollection<string> pluginSockets, ChannelWriter<KubeletSignal> signals)
    {
        _directory = directory;
        _pluginSockets = pluginSockets;
        _signals = signals;
        _kubeletSocket = Identity(KubeletSocketPath);
        try
        {
            _watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.CreationTime | NotifyFilters.LastWrite,
                IncludeSubdirectories = false,
            };
            _watcher.Created += (_, e) => OnCreated(e.Name);
            _watcher.Renamed += (_, e) => OnCreated(e.Name);
            _watcher.Deleted += (_, e) => OnDeleted(e.Name);
            _watcher.Error += (_, _) => Signal(KubeletSignalKind.Rescan, null, "watcher");
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // No inotify (limit reached, unsupported file system): the periodic check alone still works.
            WatcherError = ex;
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>Why the file-system watcher could not start, if it could not (the periodic check still runs).</summary>
    public Exception? WatcherError { get; }

    private string KubeletSocketPath => Path.Combine(_directory, KubeletPaths.KubeletSocketName);

    /// <summary>Compares the directory with what was last seen; called by the host on every check interval.</summary>
    public void Check(Func<string, bool> isServing)
    {
        var now = Identity(KubeletSocketPath);
        if (now.Exists && now != _kubeletSocket)
        {
            Signal(KubeletSignalKind.KubeletSocketCreated, KubeletPaths.KubeletSocketName, "periodic-check");
        }

        _kubeletSocket = now;
        foreach (var socket in _pluginSockets)
        {
            if (isServing(socket) && !Path.Exists(Path.Combine(_directory, socket)))
            {
                Signal(KubeletSignalKind.PluginSocketDeleted, socket, "periodic-check");
            }
        }
    }

    public void Dispose() => _watcher?.Dispose();

    private void OnCreated(string? name)
    {
        if (name == KubeletPaths.KubeletSocketName)
        {
            _kubeletSocket = Identity(KubeletSocketPath);
            Signal(KubeletSignalKind.KubeletSocketCreated, name, "watcher");
        }
    }

    private void OnDeleted(string? name)
    {
        if (name is not null && _pluginSockets.Contains(name))
        {
            Signal(KubeletSignalKind.PluginSocketDeleted, name, "watcher");
        }
    }

    private void Signal(KubeletSignalKind kind, string? socket, string source) =>
        _signals.TryWrite(new KubeletSignal(kind, socket, source, Stopwatch.GetTimestamp()));

    private static (bool Exists, DateTime Written, DateTime Created) Identity(string path)
    {
        var info = new FileInfo(path);
        return info.Exists || Path.Exists(path)
            ? (true, info.LastWriteTimeUtc, info.CreationTimeUtc)
            : (false, default, default);
    }
}
