using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Remediation;

public sealed class SafetyRailsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false, 0, 2, null)]
    [InlineData(false, 1, 2, null)]
    [InlineData(false, 2, 2, SafetyRails.EvictionRate)]
    [InlineData(false, 0, 0, SafetyRails.EvictionRate)]
    [InlineData(true, 0, 2, SafetyRails.NodeBreaker)]
    [InlineData(true, 5, 2, SafetyRails.NodeBreaker)]
    public void BeforeEviction_NodeBreakerThenRate(bool degraded, int recentEvictions, int maxPerHour, string? expected)
    {
        var evictions = Enumerable.Range(0, recentEvictions).Select(i => Now - TimeSpan.FromMinutes(10 + i));
        Assert.Equal(expected, SafetyRails.BeforeEviction(degraded, evictions, Now, maxPerHour));
    }

    [Fact]
    public void BeforeEviction_EvictionsOlderThanAnHour_DoNotCount()
    {
        DateTimeOffset[] evictions = [Now - TimeSpan.FromHours(1), Now - TimeSpan.FromHours(2), Now - TimeSpan.FromMinutes(59)];
        Assert.Null(SafetyRails.BeforeEviction(false, evictions, Now, 2));
        Assert.Equal(SafetyRails.EvictionRate, SafetyRails.BeforeEviction(false, evictions, Now, 1));
    }

    [Theory]
    [InlineData(new[] { 1 }, 2, false)]
    [InlineData(new[] { 1, 2 }, 2, true)]
    [InlineData(new[] { 1, 11 }, 2, false)]
    [InlineData(new[] { 1, 9, 30 }, 2, true)]
    [InlineData(new[] { 1, 2 }, 3, false)]
    [InlineData(new[] { 1, 2, 3 }, 3, true)]
    public void NodeBreakerTrips_GpusFailedWithinTheWindow(int[] minutesAgo, int gpus, bool trips) =>
        Assert.Equal(trips, SafetyRails.NodeBreakerTrips(minutesAgo.Select(m => Now - TimeSpan.FromMinutes(m)), Now, TimeSpan.FromMinutes(10), gpus));

    [Theory]
    // Never fewer than the minimum (2): small fleets can have two nodes under remediation.
    [InlineData(1, 3, 0.1, 2, false)]
    [InlineData(2, 3, 0.1, 2, false)]
    [InlineData(3, 3, 0.1, 2, true)]
    [InlineData(2, 10, 0.1, 2, false)]
    [InlineData(3, 10, 0.1, 2, true)]
    // 10 % of 100 nodes: ten may be affected, the eleventh stops.
    [InlineData(10, 100, 0.1, 2, false)]
    [InlineData(11, 100, 0.1, 2, true)]
    // More than 10 % of 25 (2.5) is 3.
    [InlineData(3, 25, 0.1, 2, true)]
    [InlineData(1, 1, 1.0, 1, false)]
    [InlineData(2, 1, 1.0, 1, true)]
    public void ClusterBreakerTrips_MoreThanTheFractionAndTheMinimum(int affected, int gpuNodes, double fraction, int minimum, bool trips) =>
        Assert.Equal(trips, SafetyRails.ClusterBreakerTrips(affected, gpuNodes, fraction, minimum));

    [Fact]
    public void CountDisrupted_CountsAnnotatedAndTaintedNodesAndItself()
    {
        GpuNodeMarks[] nodes =
        [
            new("self", null, false),
            new("a", "GPU-1", false),
            new("b", null, true),
            new("c", null, false),
        ];
        Assert.Equal((3, 4), SafetyRails.CountDisrupted(nodes, "self"));
    }

    [Fact]
    public void CountDisrupted_SelfMissedByTheSelector_StillCounted()
    {
        GpuNodeMarks[] nodes = [new("a", "GPU-1", false), new("c", null, false)];
        Assert.Equal((2, 3), SafetyRails.CountDisrupted(nodes, "self"));
        Assert.Equal((1, 1), SafetyRails.CountDisrupted([], "self"));
    }

    [Theory]
    [InlineData("xid-79", true, true)]
    [InlineData("xid-61", false, false)]
    [InlineData(HealthReasons.DoubleBitEcc, true, true)]
    [InlineData(HealthReasons.RowRemapFailure, true, true)]
    [InlineData(HealthReasons.GpuLost, true, true)]
    [InlineData(HealthReasons.PendingPageRetirement, true, false)]
    [InlineData(HealthReasons.OverTemperature, false, false)]
    [InlineData(HealthReasons.ProbeFailed, false, false)]
    [InlineData(HealthReasons.HealthCheckUnavailable, false, false)]
    public void IsRemediable_FatalFaultsOnly(string reason, bool fatal, bool remediable)
    {
        var fault = new HealthTransition("GPU-1", 0, GpuHealthState.Healthy, GpuHealthState.Unhealthy, reason, "detail", fatal, Now);
        Assert.Equal(remediable, RemediableFaults.IsRemediable(fault));
        Assert.False(RemediableFaults.IsRemediable(fault with { From = GpuHealthState.Unhealthy, To = GpuHealthState.Healthy }));
    }

    [Fact]
    public void Messages_GpuUuid_RoundTripsThroughTheConditionMessage()
    {
        var message = RemediationMessages.Fault("GPU-1234-abcd", "node-1", "xid-79", "XID 79 was reported");
        Assert.Equal("GPU-1234-abcd", RemediationMessages.GpuOf(message));
        Assert.Equal("GPU-1234-abcd", RemediationMessages.GpuOf(message + " Stopped by node_breaker: ..."));
        Assert.Null(RemediationMessages.GpuOf("written by someone else"));
        Assert.Null(RemediationMessages.GpuOf(null));
    }
}
