using Platform.NodeAgent.Health;

namespace Platform.NodeAgent.Tests.Health;

public class HealthOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid_AndIgnoreNvidiasApplicationXids()
    {
        var options = new HealthOptions();
        Assert.True(new HealthOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(new ulong[] { 13, 31, 43, 45, 68, 109 }, options.ParsedIgnoredXids.Order());
        Assert.Contains(79ul, options.ParsedFatalXids);
    }

    [Fact]
    public void BadValues_AreEachNamed()
    {
        var options = new HealthOptions { IgnoredXids = "13,x", FatalXids = "79;48", ProbeInterval = TimeSpan.Zero, QuietPeriod = TimeSpan.FromSeconds(-1), TemperatureLimitC = 500 };

        var failures = new HealthOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.Contains("Health:IgnoredXids has 'x'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Health:FatalXids has '79;48'", StringComparison.Ordinal));
    }

    [Fact]
    public void XidList_ParsesWithSpaces_AndEmpty()
    {
        Assert.Equal(new ulong[] { 48, 79 }, XidList.Parse(" 79, 48 ,").Order());
        Assert.Empty(XidList.Parse(""));
    }
}
