using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Platform.NodeAgent.Diagnostics;
using Platform.NodeAgent.Hosting;

namespace Platform.NodeAgent.Tests.Hosting;

public sealed class MemoryReleaseTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _started = new();
    private readonly Contributor _readiness = new();
    private readonly MemoryRelease _release;

    public MemoryReleaseTests()
    {
        var lifetime = Substitute.For<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Returns(_started.Token);
        _release = new MemoryRelease([_readiness], lifetime, _time, NullLogger<MemoryRelease>.Instance);
    }

    public void Dispose()
    {
        _release.Dispose();
        _started.Dispose();
    }

    [Fact]
    public async Task Release_WaitsForTheHostToStart()
    {
        _readiness.Ready = true;
        await _release.StartAsync(CancellationToken.None);

        await AdvanceAsync(TimeSpan.FromSeconds(40));
        Assert.False(_release.FirstRelease.IsCompleted);

        await _started.CancelAsync();
        var outcome = await _release.FirstRelease.DefaultTimeout();
        Assert.True(outcome.Ready);
    }

    [Fact]
    public async Task Release_RunsWhenTheAgentTurnsReady()
    {
        await _release.StartAsync(CancellationToken.None);
        await _started.CancelAsync();

        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.False(_release.FirstRelease.IsCompleted);

        _readiness.Ready = true;
        await AdvanceUntilReleasedAsync();
        var outcome = await _release.FirstRelease.DefaultTimeout();
        Assert.True(outcome.Ready);
        Assert.True(_time.GetUtcNow() - _time.Start < MemoryRelease.SettleTimeout);
    }

    [Fact]
    public async Task Release_NeverReady_RunsAfterTheSettleTimeout()
    {
        await _release.StartAsync(CancellationToken.None);
        await _started.CancelAsync();

        await AdvanceAsync(MemoryRelease.SettleTimeout - TimeSpan.FromSeconds(1));
        Assert.False(_release.FirstRelease.IsCompleted);

        await AdvanceUntilReleasedAsync();
        var outcome = await _release.FirstRelease.DefaultTimeout();
        Assert.False(outcome.Ready);
        Assert.True(_time.GetUtcNow() - _time.Start >= MemoryRelease.SettleTimeout);
    }

    [Fact]
    public async Task Release_AfterTheFirst_RunsEveryInterval()
    {
        _readiness.Ready = true;
        await _release.StartAsync(CancellationToken.None);
        await _started.CancelAsync();
        await AdvanceUntilReleasedAsync();
        await _release.FirstRelease.DefaultTimeout();
        Assert.Equal(1, _release.Releases);

        await AdvanceAsync(MemoryRelease.Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(1, _release.Releases);

        await AdvanceUntilAsync(() => _release.Releases == 2);
        await AdvanceAsync(MemoryRelease.Interval);
        await AdvanceUntilAsync(() => _release.Releases == 3);
        Assert.Equal(3, _release.Releases);
    }

    [Fact]
    public async Task Release_StoppedBeforeStart_CancelsQuietly()
    {
        await _release.StartAsync(CancellationToken.None);
        await _release.StopAsync(CancellationToken.None).DefaultTimeout();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _release.FirstRelease.DefaultTimeout());
    }

    /// <summary>Moves the fake clock in poll-sized steps, yielding so the service's timer continuations run.</summary>
    private async Task AdvanceAsync(TimeSpan total)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < total; elapsed += TimeSpan.FromMilliseconds(250))
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }
    }

    private Task AdvanceUntilReleasedAsync() => AdvanceUntilAsync(() => _release.FirstRelease.IsCompleted);

    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }
    }

    private sealed class Contributor : IReadinessContributor
    {
        public volatile bool Ready;

        public IEnumerable<ReadinessCheck> Checks()
        {
            yield return new ReadinessCheck("device-plugin", Ready, true, Ready ? "registered" : "not registered");
            yield return new ReadinessCheck("kubernetes", false, false, "off: not counted");
        }
    }
}
