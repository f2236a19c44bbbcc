namespace Platform.Webhook.Hosting;

/// <summary>
/// Loads every <see cref="IReloadableFile"/> before Kestrel binds (a failure stops the start),
/// then watches their files until shutdown. Checks never throw out of the loop: a reload error
/// is the store's to report, anything else is logged and the loop goes on.
/// </summary>
internal sealed partial class FileReloadService(
    IEnumerable<IReloadableFile> reloadables, TimeProvider time, ILogger<FileReloadService> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>Safety-net period of the content check; with the 5 s promise this leaves room for a slow read.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Quiet time after directory events before reading, so a certificate and its key are read together.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(150);

    private readonly List<(FileChangeWatcher Watcher, Task Loop)> _loops = [];
    private readonly CancellationTokenSource _stopping = new();

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // Kestrel's first TLS handshake needs the certificate, the first admission the policy.
        foreach (var reloadable in reloadables)
        {
            reloadable.LoadInitial();
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var reloadable in reloadables.Where(r => r.WatchedFiles.Count > 0))
        {
            var watcher = new FileChangeWatcher(reloadable.WatchedFiles, time);
            foreach (var error in watcher.WatchErrors)
            {
                LogWatchFailed(logger, error, PollInterval.TotalSeconds);
            }

            var loop = watcher.RunAsync(() => Check(reloadable), PollInterval, Debounce, _stopping.Token);
            _loops.Add((watcher, loop));
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops.Select(l => l.Loop)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown time is spent (Kestrel's drain of a request that never completed takes all of it,
            // and this service stops after Kestrel): a loop still inside a check has been told to stop and ends by
            // itself. Throwing here would fail the whole host's stop over a file read.
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var (watcher, _) in _loops)
        {
            watcher.Dispose();
        }

        _stopping.Dispose();
    }

    private void Check(IReloadableFile reloadable)
    {
        try
        {
            reloadable.CheckForChange();
        }
        catch (Exception e)
        {
            LogCheckFailed(logger, e, string.Join(", ", reloadable.WatchedFiles));
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "Cannot watch {WatchDirectory}; changes are still picked up by the check every {PollSeconds} s.")]
    private static partial void LogWatchFailed(ILogger logger, string watchDirectory, double pollSeconds);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error,
        Message = "Checking {WatchedFiles} for changes failed; the version in force stays and the check runs again.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string watchedFiles);
}
