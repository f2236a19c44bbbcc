using Platform.Sandbox.Hosting;
using Platform.Sandbox.Tests.TestSupport;

namespace Platform.Sandbox.Tests.Hosting;

/// <summary>What every sandbox stage waits with: woken by each change, and a stage that never comes fails naming itself.</summary>
public sealed class ChangeSignalTests
{
    [Fact]
    public async Task WaitUntil_ConditionTurnsTrueOnALaterChange_Completes()
    {
        var signal = new ChangeSignal();
        var value = 0;

        var waiting = signal.WaitUntilAsync(() => Volatile.Read(ref value) == 2, Timeouts.Default, "value 2", CancellationToken.None);
        Volatile.Write(ref value, 1);
        signal.Signal();
        Assert.False(waiting.IsCompleted);
        Volatile.Write(ref value, 2);
        signal.Signal();

        await waiting.DefaultTimeout();
    }

    [Fact]
    public async Task WaitUntil_NeverTrue_ThrowsTimeoutNamingWhatWasAwaited()
    {
        var signal = new ChangeSignal();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => signal.WaitUntilAsync(() => false, TimeSpan.FromMilliseconds(50), "the agent did not call DrainNode", CancellationToken.None).DefaultTimeout());

        Assert.Equal("the agent did not call DrainNode within 0 s", error.Message);
    }

    [Fact]
    public async Task WaitUntil_Cancelled_IsCancellationNotTimeout()
    {
        var signal = new ChangeSignal();
        using var stop = new CancellationTokenSource();

        var waiting = signal.WaitUntilAsync(() => false, Timeouts.Default, "never", stop.Token);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.DefaultTimeout());
    }
}
