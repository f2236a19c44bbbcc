using System.Threading.Channels;

namespace Platform.NodeAgent.Dra.Serving;

/// <summary>
/// Tells the host at once when a file goes from either socket directory (a cleaned plugin directory, a
/// registry directory deleted and created again). inotify watches die with their directory, so the host
/// makes a new watcher each time it serves anew, and checks the files periodically as well.
/// </summary>
internal sealed class DraSocketWatcher : IDisposable
{
    private readonly List<FileSystemWatcher> _watchers = [];

    public DraSocketWatcher(IEnumerable<string> socketPaths, ChannelWriter<string> removed)
    {
        foreach (var group in socketPaths.GroupBy(p => Path.GetDirectoryName(p)!, StringComparer.Ordinal))
        {
            var names = group.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
            try
            {
                var watcher = new FileSystemWatcher(group.Key) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName, IncludeSubdirectories = false };
                watcher.Deleted += (_, e) => Removed(e.Name, e.FullPath);
                watcher.Renamed += (_, e) => Removed(e.OldName, e.OldFullPath);
                watcher.Error += (_, _) => removed.TryWrite(group.Key);
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                // No inotify (limit reached, unsupported file system): the periodic check still finds the loss.
                Error ??= ex;
            }

            void Removed(string? name, string path)
            {
                if (name is not null && names.Contains(name))
                {
                    removed.TryWrite(path);
                }
            }
        }
    }

    /// <summary>Why a directory could not be watched, if one could not.</summary>
    public Exception? Error { get; }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
    }
}
