using Microsoft.Extensions.Time.Testing;
using Platform.NodeAgent.Remediation.Ray;

namespace Platform.NodeAgent.Tests.Remediation.Ray;

public sealed class RayGcsChannelsTests
{
    [Theory]
    [InlineData("raycluster-head-svc.team-a.svc:6379")]
    [InlineData("10.0.0.2:6379")]
    [InlineData("[fd00::2]:6379")]
    [InlineData("localhost:80")]
    public void Validate_HostPort_Accepted(string address)
    {
        Assert.Null(RayGcsChannels.Validate(address));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    [InlineData("head-svc")]
    [InlineData("[fd00::2]")]
    [InlineData("head-svc:0")]
    [InlineData("head-svc:-1")]
    [InlineData(":6379")]
    [InlineData("grpc://head-svc:6379")]
    public void Validate_NotHostPort_NamesTheProblem(string? address)
    {
        Assert.Contains("GCS address", RayGcsChannels.Validate(address), StringComparison.Ordinal);
    }

    [Fact]
    public void Get_SameAddressTwice_ReusesOneChannel()
    {
        using var channels = new RayGcsChannels(new FakeTimeProvider(), TimeSpan.FromSeconds(1));

        var first = channels.Get("a-head-svc.ns.svc:6379", out _);
        var second = channels.Get("a-head-svc.ns.svc:6379", out _);

        Assert.Same(first, second);
        Assert.Equal(1, channels.Count);
    }

    [Fact]
    public void Get_AfterOthersIdledPastTheLifetime_ClosesThemAndKeepsRecentOnes()
    {
        var time = new FakeTimeProvider();
        using var channels = new RayGcsChannels(time, TimeSpan.FromSeconds(1));
        channels.Get("old-head-svc.ns.svc:6379", out _);
        time.Advance(RayGcsChannels.IdleLifetime - TimeSpan.FromMinutes(1));
        var recent = channels.Get("recent-head-svc.ns.svc:6379", out _);
        time.Advance(TimeSpan.FromMinutes(2));

        channels.Get("new-head-svc.ns.svc:6379", out _);

        Assert.Equal(2, channels.Count);
        Assert.Same(recent, channels.Get("recent-head-svc.ns.svc:6379", out _));
    }

    [Fact]
    public void Get_AfterDispose_Throws()
    {
        var channels = new RayGcsChannels(new FakeTimeProvider(), TimeSpan.FromSeconds(1));
        channels.Get("a-head-svc.ns.svc:6379", out _);

        channels.Dispose();

        Assert.Throws<ObjectDisposedException>(() => channels.Get("a-head-svc.ns.svc:6379", out _));
        Assert.Equal(0, channels.Count);
    }
}
