using Platform.NodeAgent.Diagnostics;

namespace Platform.NodeAgent.Hosting;

/// <summary>
/// Gives the start-up garbage back to the OS once the agent has settled. Building the host, binding options,
/// starting Kestrel and gRPC, discovery and the first registration allocate ~15 MB that is dead seconds later,
/// yet the GC keeps the regions it grew into committed (resident) for the life of the process, because nothing
/// after start allocates fast enough to need a full collection. One aggressive full collection when the agent
/// first turns ready (or <see cref="SettleTimeout"/> after start, whichever comes first) compacts the survivors
/// and decommits the rest: measured with <c>bench/NodeAgent.Benchmarks</c>, the RSS under a scrape a second
/// went from ~40 MiB to ~29-33 MiB. Steady-state allocation is small, so this is needed only once.
/// </summary>
internal sealed partial class StartupMemoryRelease(
    IEnumerable<IReadinessContributor> readiness,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<StartupMemoryRelease> logger) : BackgroundService
{
    /// <summary>How long after start the release happens even if the agent is not ready (no kubelet, say).</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly TaskCompletionSource<Outcome> _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the collection has run, with the GC's committed bytes before and after.</summary>
    public Task<Outcome> Released => _released.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WaitForStartAsync(stoppingToken).ConfigureAwait(false);
            var started = time.GetTimestamp();
            using var timer = new PeriodicTimer(PollInterval, time);
            var ready = IsReady();
            while (!ready && time.GetElapsedTime(started) < SettleTimeout && await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                ready = IsReady();
            }

            var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var after = GC.GetGCMemoryInfo().TotalCommittedBytes;
            LogReleased(logger, ready ? "the agent turned ready" : $"the agent was not ready {SettleTimeout.TotalSeconds:0} s after start", before / Mebibyte, after / Mebibyte);
            _released.TrySetResult(new Outcome(ready, before, after));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _released.TrySetCanceled(stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Stopped before the loop even ran (the host shut down at once): nobody waits for a release forever.
        _released.TrySetCanceled(CancellationToken.None);
    }

    private const double Mebibyte = 1024 * 1024;

    private Task WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    private bool IsReady() => readiness.SelectMany(r => r.Checks()).All(c => c.Ok || !c.Required);

    /// <summary>What the release did: whether the agent was ready, and the GC's committed bytes around it.</summary>
    public sealed record Outcome(bool Ready, long CommittedBefore, long CommittedAfter);

    [LoggerMessage(EventId = 900, Level = LogLevel.Information,
        Message = "Start-up memory released ({ReleaseTrigger}): GC committed {CommittedBeforeMiB:0.0} MiB before, {CommittedAfterMiB:0.0} MiB after")]
    private static partial void LogReleased(ILogger logger, string releaseTrigger, double committedBeforeMiB, double committedAfterMiB);
}
