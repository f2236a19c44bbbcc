using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Platform.NodeAgent.Diagnostics;
using Platform.NodeAgent.Hosting;

namespace Platform.NodeAgent.Tests.Hosting;

public sealed class StartupMemoryReleaseTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _started = new();
    private readonly Contributor _readiness = new();
    private readonly StartupMemoryRelease _release;

    public StartupMemoryReleaseTests()
    {
        var lifetime = Substitute.For<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Returns(_started.Token);
        _release = new StartupMemoryRelease([_readiness], lifetime, _time, NullLogger<StartupMemoryRelease>.Instance);
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
        Assert.False(_release.Released.IsCompleted);

        await _started.CancelAsync();
        var outcome = await _release.Released.DefaultTimeout();
        Assert.True(outcome.Ready);
    }

    [Fact]
    public async Task Release_RunsWhenTheAgentTurnsReady()
    {
        await _release.StartAsync(CancellationToken.None);
        await _started.CancelAsync();

        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.False(_release.Released.IsCompleted);

        _readiness.Ready = true;
        await AdvanceUntilReleasedAsync();
        var outcome = await _release.Released.DefaultTimeout();
        Assert.True(outcome.Ready);
        Assert.True(_time.GetUtcNow() - _time.Start < StartupMemoryRelease.SettleTimeout);
    }

    [Fact]
    public async Task Release_NeverReady_RunsAfterTheSettleTimeout()
    {
        await _release.StartAsync(CancellationToken.None);
        await _started.CancelAsync();

        await AdvanceAsync(StartupMemoryRelease.SettleTimeout - TimeSpan.FromSeconds(1));
        Assert.False(_release.Released.IsCompleted);

        await AdvanceUntilReleasedAsync();
        var outcome = await _release.Released.DefaultTimeout();
        Assert.False(outcome.Ready);
        Assert.True(_time.GetUtcNow() - _time.Start >= StartupMemoryRelease.SettleTimeout);
    }

    [Fact]
    public async Task Release_StoppedBeforeStart_CancelsQuietly()
    {
        await _release.StartAsync(CancellationToken.None);
        await _release.StopAsync(CancellationToken.None).DefaultTimeout();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _release.Released.DefaultTimeout());
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

    private async Task AdvanceUntilReleasedAsync()
    {
        for (var i = 0; i < 1000 && !_release.Released.IsCompleted; i++)
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
