namespace Platform.Operations.Tests.EndToEnd;

/// <summary>
/// Waits for a state of an independent peer that has no event to await (Prometheus scrapes and evaluates on
/// its own clock): the probe runs every 250 ms until it answers or the limit ends the test with the last answer.
/// </summary>
internal static class Eventually
{
    public static async Task<T> ThatAsync<T>(string what, TimeSpan limit, Func<Task<(bool Done, T Value, string State)>> probe)
    {
        using var deadline = new CancellationTokenSource(limit);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var state = "not probed yet";
        while (true)
        {
            var (done, value, current) = await probe().WaitAsync(limit);
            if (done)
            {
                return value;
            }

            state = current;
            try
            {
                await timer.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{what}: not within {limit}; last seen: {state}");
            }
        }
    }
}
