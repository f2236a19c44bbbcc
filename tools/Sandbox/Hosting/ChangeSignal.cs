namespace Platform.Sandbox.Hosting;

/// <summary>
/// Wakes whoever waits for a simulator's state to change: the simulator calls <see cref="Signal"/> after each change,
/// a waiter re-checks its condition then, so nobody polls on a timer.
/// </summary>
internal sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Completes once <paramref name="condition"/> holds, re-checked after every change.</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="timeout"/>; the message says what was awaited.</exception>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            // Taken before the check: a change between the check and the wait still wakes this waiter.
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition())
            {
                return;
            }

            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{what} within {timeout.TotalSeconds:0} s");
            }
        }
    }
}
