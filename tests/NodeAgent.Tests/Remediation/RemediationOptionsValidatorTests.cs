using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Remediation;

public sealed class RemediationOptionsValidatorTests
{
    private static IReadOnlyList<string> Errors(RemediationOptions options) =>
        new RemediationOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Validate_Defaults_Pass()
    {
        var options = new RemediationOptions();
        Assert.Empty(Errors(options));
        Assert.Equal(RemediationMode.Annotate, options.ParsedMode);
        Assert.False(options.EvictNonRayPods);
        Assert.Equal("rc-head-svc.ml.svc:6379", options.GcsAddressFor("rc", "ml"));
    }

    [Theory]
    [InlineData("off", RemediationMode.Off)]
    [InlineData("DRAIN", RemediationMode.Drain)]
    [InlineData("Evict", RemediationMode.Evict)]
    public void Validate_ModeCaseInsensitive(string mode, object expected)
    {
        var options = new RemediationOptions { Mode = mode, NonRayPods = "evict" };
        Assert.Empty(Errors(options));
        Assert.Equal((RemediationMode)expected, options.ParsedMode);
        Assert.True(options.EvictNonRayPods);
    }

    [Fact]
    public void Validate_EveryBadValue_ListedWithItsKey()
    {
        var errors = Errors(new RemediationOptions
        {
            Mode = "cordon",
            NonRayPods = "drain",
            DrainTimeout = TimeSpan.Zero,
            MaxEvictionsPerNodePerHour = -1,
            NodeFaultGpus = 1,
            NodeFaultWindow = TimeSpan.FromSeconds(-1),
            MaxDisruptedNodeFraction = 0,
            MinDisruptedNodes = 0,
            NodeRecoveryWindow = TimeSpan.Zero,
            GcsAddress = "ray-head",
            GpuNodeSelector = " ",
            EvictionRetryInitial = TimeSpan.FromMinutes(10),
            EvictionRetryMax = TimeSpan.FromMinutes(5),
            StatusPollInterval = TimeSpan.Zero,
        });
        string[] keys = ["Mode", "NonRayPods", "DrainTimeout", "MaxEvictionsPerNodePerHour", "NodeFaultGpus", "NodeFaultWindow", "MaxDisruptedNodeFraction",
            "MinDisruptedNodes", "NodeRecoveryWindow", "GcsAddress", "GpuNodeSelector", "EvictionRetryMax", "StatusPollInterval"];
        foreach (var key in keys)
        {
            Assert.Contains(errors, e => e.StartsWith($"Remediation:{key} is", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Validate_FractionOutsideZeroToOne_Fails(double fraction) =>
        Assert.Single(Errors(new RemediationOptions { MaxDisruptedNodeFraction = fraction }));

    [Theory]
    [InlineData("{cluster}-head-svc.{namespace}.svc")]
    [InlineData("{cluster}-head-svc.{namespace}.svc:99999")]
    [InlineData("")]
    public void Validate_GcsAddressWithoutPortOrCluster_Fails(string address) =>
        Assert.Contains(Errors(new RemediationOptions { GcsAddress = address }), e => e.StartsWith("Remediation:GcsAddress", StringComparison.Ordinal));

    [Fact]
    public void Validate_ZeroEvictionsPerHour_IsAllowed() =>
        Assert.Empty(Errors(new RemediationOptions { MaxEvictionsPerNodePerHour = 0, MaxDisruptedNodeFraction = 1 }));
}
