using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Tests.Metrics;

public class AgentMetricsTests
{
    [Fact]
    public void LatencyHistogram_IsCumulative()
    {
        var metrics = new AgentMetrics();
        metrics.ObserveAllocation(TimeSpan.FromMilliseconds(0.2), true);
        metrics.ObserveAllocation(TimeSpan.FromMilliseconds(2), true);
        metrics.ObserveAllocation(TimeSpan.FromSeconds(5), false);

        var (cumulative, count, sum) = metrics.LatencyHistogram();

        Assert.Equal(3, count);
        Assert.Equal(1, cumulative[0]);
        Assert.Equal(2, cumulative[2]);
        Assert.Equal(2, cumulative[AgentMetrics.LatencyBuckets.Length - 1]);
        Assert.Equal(3, cumulative[^1]);
        Assert.Equal(5.0022, sum, 4);
        Assert.Equal((2, 1), (metrics.Allocations, metrics.AllocationFailures));
    }
}
