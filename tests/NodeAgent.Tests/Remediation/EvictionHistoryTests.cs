using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Remediation;

public sealed class EvictionHistoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int hour, int minute, int second = 0) => new(2026, 3, 1, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void Format_OldestFirst_SecondPrecision_DropsTimesAnHourOld()
    {
        DateTimeOffset[] times = [At(11, 50, 30).AddMilliseconds(700), At(10, 59, 59), At(11, 0), At(11, 20), At(11, 20)];

        Assert.Equal("2026-03-01T11:20:00Z,2026-03-01T11:20:00Z,2026-03-01T11:50:30Z", EvictionHistory.Format(times, Now));
    }

    [Fact]
    public void Format_OffsetTimes_WrittenInUtc() =>
        Assert.Equal("2026-03-01T11:30:00Z", EvictionHistory.Format([new DateTimeOffset(2026, 3, 1, 13, 30, 0, TimeSpan.FromHours(2))], Now));

    [Fact]
    public void Parse_WhatFormatWrote_RoundTrips()
    {
        DateTimeOffset[] times = [At(11, 10), At(11, 50, 5)];

        var parsed = EvictionHistory.Parse(EvictionHistory.Format(times, Now), Now, out var unparseable);

        Assert.Equal(times, parsed);
        Assert.Empty(unparseable);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(",, ,")]
    public void Parse_Nothing_NoTimesNoWarning(string? value)
    {
        Assert.Empty(EvictionHistory.Parse(value, Now, out var unparseable));
        Assert.Empty(unparseable);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-03-01")]
    [InlineData("2026-03-01T11:30:00")]
    [InlineData("2026-03-01 11:30:00Z")]
    [InlineData("2026-13-01T11:30:00Z")]
    [InlineData("2026-03-01T25:30:00Z")]
    [InlineData("1772364600")]
    [InlineData("\"2026-03-01T11:30:00Z\"")]
    [InlineData("2026-03-01T11:30:00Z;2026-03-01T11:40:00Z")]
    public void Parse_NotAnRfc3339Time_DroppedAndReported(string entry)
    {
        var parsed = EvictionHistory.Parse($"{entry},2026-03-01T11:45:00Z", Now, out var unparseable);

        Assert.Equal([At(11, 45)], parsed);
        Assert.Equal([entry], unparseable);
    }

    [Fact]
    public void Parse_GarbageFutureOldAndOffsets_AsSpecified()
    {
        const string value = "garbage, 2026-03-01T14:00:00Z ,2026-03-01T09:00:00Z,,2026-03-01T12:30:00+01:00,2026-03-01T11:45:00.250Z,2026-03-01T11:00:00Z";

        var parsed = EvictionHistory.Parse(value, Now, out var unparseable);

        // The future time (a clock ahead) counts as now; exactly an hour old and older no longer count; oldest first.
        Assert.Equal([At(11, 30), At(11, 45), Now], parsed);
        Assert.Equal(["garbage"], unparseable);
    }

    [Fact]
    public void Parse_FutureTimeWithFraction_CountsAsNowToTheSecond()
    {
        var now = Now.AddMilliseconds(600);

        Assert.Equal([Now], EvictionHistory.Parse("2027-01-01T00:00:00Z", now, out _));
    }

    [Fact]
    public void Parse_HugeList_EveryTimeCounted()
    {
        var value = string.Join(',', Enumerable.Repeat("2026-03-01T11:59:00Z", 20_000).Append("x"));

        var parsed = EvictionHistory.Parse(value, Now, out var unparseable);

        Assert.Equal(20_000, parsed.Count);
        Assert.Equal(["x"], unparseable);
    }
}
