using Platform.NodeAgent.Diagnostics;

namespace Platform.NodeAgent.Hosting;

/// <summary>
/// Keeps the GC's resident memory near the agent's live heap (3.3 MB measured), which the GC alone does not on an
/// agent this quiet. Building the host, Kestrel, gRPC, discovery and the first registration allocate ~15 MB that is dead
/// seconds later, yet the GC kept the regions it grew into committed for the life of the process; afterwards
/// every sample's snapshot and page survive a gen-0 collection or two and pile up in gen 1, which at ~250 KB/s
/// of allocation was never collected (no gen-1 collection in 200 s, the gen-1 budget caps did not change that),
/// so the RSS crept from ~29 back to ~38 MiB in four minutes. An aggressive full collection compacts the
/// survivors and decommits the rest: once when the agent first turns ready (or <see cref="SettleTimeout"/>
/// after start, whichever comes first), then every <see cref="Interval"/>. On a heap this small it pauses the
/// process for about 8 ms, once a minute; figures in docs/node-agent.md.
/// </summary>
internal sealed partial class MemoryRelease(
    IEnumerable<IReadinessContributor> readiness,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<MemoryRelease> logger) : BackgroundService
{
    /// <summary>How long after start the first release happens even if the agent is not ready (no kubelet, say).</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Between two releases after the first.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private const double Mebibyte = 1024 * 1024;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly TaskCompletionSource<Outcome> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _releases;

    /// <summary>Completes once the first collection has run, with the GC's committed bytes before and after.</summary>
    public Task<Outcome> FirstRelease => _first.Task;

    /// <summary>How many collections have run so far.</summary>
    public int Releases => Volatile.Read(ref _releases);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Stopped before the loop even ran (the host shut down at once): nobody waits for a release forever.
        _first.TrySetCanceled(CancellationToken.None);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WaitForStartAsync(stoppingToken).ConfigureAwait(false);
            var started = time.GetTimestamp();
            var ready = IsReady();
            using (var poll = new PeriodicTimer(PollInterval, time))
            {
                while (!ready && time.GetElapsedTime(started) < SettleTimeout && await poll.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    ready = IsReady();
                }
            }

            var first = Release(ready);
            LogFirstRelease(logger, ready ? "the agent turned ready" : $"the agent was not ready {SettleTimeout.TotalSeconds:0} s after start", first.CommittedBefore / Mebibyte, first.CommittedAfter / Mebibyte, first.Pause.TotalMilliseconds);
            _first.TrySetResult(first);

            using var periodic = new PeriodicTimer(Interval, time);
            while (await periodic.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var outcome = Release(ready: false);
                LogRelease(logger, outcome.CommittedBefore / Mebibyte, outcome.CommittedAfter / Mebibyte, outcome.Pause.TotalMilliseconds);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _first.TrySetCanceled(stoppingToken);
        }
    }

    private Outcome Release(bool ready)
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var collection = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Interlocked.Increment(ref _releases);
        return new Outcome(ready, before, collection.TotalCommittedBytes, collection.PauseDurations[0]);
    }

    private Task WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    private bool IsReady() => ReadinessCheck.AllRequiredPass(readiness.SelectMany(r => r.Checks()));

    /// <summary>What a release did: whether the agent was ready (first release only), and the GC's committed bytes around it.</summary>
    public sealed record Outcome(bool Ready, long CommittedBefore, long CommittedAfter, TimeSpan Pause);

    [LoggerMessage(EventId = 900, Level = LogLevel.Information,
        Message = "Start-up memory released ({ReleaseTrigger}): GC committed {CommittedBeforeMiB:0.0} MiB before, {CommittedAfterMiB:0.0} MiB after, paused {PauseMs:0.0} ms")]
    private static partial void LogFirstRelease(ILogger logger, string releaseTrigger, double committedBeforeMiB, double committedAfterMiB, double pauseMs);

    [LoggerMessage(EventId = 901, Level = LogLevel.Debug,
        Message = "Memory released: GC committed {CommittedBeforeMiB:0.0} MiB before, {CommittedAfterMiB:0.0} MiB after, paused {PauseMs:0.0} ms")]
    private static partial void LogRelease(ILogger logger, double committedBeforeMiB, double committedAfterMiB, double pauseMs);
}
