namespace Platform.NodeAgent.Metrics;

/// <summary>A lock-free Prometheus histogram of durations.</summary>
internal sealed class DurationHistogram(double[] buckets)
{
    private readonly long[] _counts = new long[buckets.Length + 1];
    private long _sumMicros;

    public double[] Buckets => buckets;

    public void Observe(TimeSpan duration)
    {
        var seconds = Math.Max(0, duration.TotalSeconds);
        var bucket = 0;
        while (bucket < buckets.Length && seconds > buckets[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMicros, Math.Max(0, duration.Ticks / 10));
    }

    /// <summary>Cumulative bucket counts (Prometheus semantics), the total count and the sum in seconds.</summary>
    public (long[] Cumulative, long Count, double SumSeconds) Read()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return (cumulative, running, Interlocked.Read(ref _sumMicros) / 1e6);
    }
}
