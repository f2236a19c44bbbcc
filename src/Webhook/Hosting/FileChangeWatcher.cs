using System.Threading.Channels;

namespace Platform.Webhook.Hosting;

/// <summary>
/// Wakes a reload check when files may have changed: a <see cref="FileSystemWatcher"/> on each
/// file's DIRECTORY plus a periodic tick as a safety net. Kubernetes ConfigMap and Secret mounts
/// never write the file itself: the kubelet swaps a <c>..data</c> symlink in the directory, which
/// a watcher on the file path misses; inotify can also drop events (queue overflow, instance
/// limits), hence the tick. Checks compare content, so a spurious wake costs one small read.
/// </summary>
internal sealed class FileChangeWatcher : IDisposable
{
    private readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly TimeProvider _time;

    public FileChangeWatcher(IEnumerable<string> files, TimeProvider time)
    {
        _time = time;
        foreach (var directory in files.Select(DirectoryOf).Distinct(StringComparer.Ordinal))
        {
            try
            {
                var watcher = new FileSystemWatcher(directory)
                {
                    IncludeSubdirectories = false,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                        | NotifyFilters.Size | NotifyFilters.CreationTime | NotifyFilters.Attributes,
                };
                watcher.Changed += (_, _) => Wake();
                watcher.Created += (_, _) => Wake();
                watcher.Deleted += (_, _) => Wake();
                watcher.Renamed += (_, _) => Wake();
                watcher.Error += (_, _) => Wake();
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception e) when (e is ArgumentException or IOException or PlatformNotSupportedException)
            {
                WatchErrors.Add($"{directory}: {e.Message}");
            }
        }
    }

    /// <summary>Directories that could not be watched (the periodic check still covers them).</summary>
    public List<string> WatchErrors { get; } = [];

    /// <summary>
    /// Calls <paramref name="check"/> after every burst of directory events (once the burst has
    /// been quiet for <paramref name="debounce"/>, so that a certificate and its key written one
    /// after the other are read together) and at every <paramref name="pollInterval"/>.
    /// Returns when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task RunAsync(Action check, TimeSpan pollInterval, TimeSpan debounce, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(pollInterval, _time);
        var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
        var wake = _wakes.Reader.WaitToReadAsync(cancellationToken).AsTask();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var fired = await Task.WhenAny(tick, wake).ConfigureAwait(false);
                await fired.ConfigureAwait(false);
                if (fired == wake)
                {
                    do
                    {
                        _wakes.Reader.TryRead(out _);
                        await Task.Delay(debounce, _time, cancellationToken).ConfigureAwait(false);
                    }
                    while (_wakes.Reader.TryRead(out _));

                    wake = _wakes.Reader.WaitToReadAsync(cancellationToken).AsTask();
                }
                else
                {
                    tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
                }

                check();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: the loop ends quietly.
        }
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
    }

    private void Wake() => _wakes.Writer.TryWrite(true);

    private static string DirectoryOf(string file) =>
        Path.GetDirectoryName(Path.GetFullPath(file)) is { Length: > 0 } directory ? directory : "/";
}
