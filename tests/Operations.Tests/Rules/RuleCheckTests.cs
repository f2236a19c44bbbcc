using Platform.Chart.Tests;
using Platform.Operations.Tests.Tools;

namespace Platform.Operations.Tests.Rules;

/// <summary><c>promtool check rules</c> on the rules the chart renders, with the defaults and with values that change them.</summary>
public class RuleCheckTests
{
    [PromtoolTheory]
    [InlineData]
    [InlineData("webhook.admission.timeoutSeconds=1")]
    [InlineData("monitoring.prometheusRule.nodeAgentJob=\"gpu-agents\"", "monitoring.prometheusRule.webhookJob=\"ray-webhook\"", "monitoring.prometheusRule.runbookBaseUrl=\"https://docs.example.com/operations.md\"")]
    [InlineData("monitoring.prometheusRule.alerts.fatalXid.xids=[79]", "monitoring.prometheusRule.alerts.gpuIdle.utilisationPercent=12.5", "monitoring.prometheusRule.alerts.certificateExpiry.days=0.5")]
    [InlineData("monitoring.prometheusRule.alerts.remediationStopped.window=\"15m\"", "monitoring.prometheusRule.alerts.nodeGpuDegraded.for=\"5m\"")]
    public async Task CheckRules_RenderedRules_AreValid(params string[] setValues)
    {
        using var directory = new TempDirectory("platform-rules-");
        var rules = await RenderedRules.WriteAsync(directory.Path, setValues);
        var (alerts, records) = RenderedRules.Names(await File.ReadAllTextAsync(rules));

        var result = await Promtool.RunAsync(directory.Path, "check", "rules", rules);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains($"SUCCESS: {alerts.Count + records.Count} rules found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_CustomJobsAndRunbookBase_ReachEveryRule()
    {
        var rules = await RenderedRules.RenderAsync(
            "monitoring.prometheusRule.nodeAgentJob=\"gpu-agents\"",
            "monitoring.prometheusRule.webhookJob=\"ray-webhook\"",
            "monitoring.prometheusRule.runbookBaseUrl=\"https://docs.example.com/operations.md/\"");

        Assert.DoesNotContain("rel-platform-", rules, StringComparison.Ordinal);
        Assert.Contains("job=\"gpu-agents\"", rules, StringComparison.Ordinal);
        Assert.Contains("job=\"ray-webhook\"", rules, StringComparison.Ordinal);
        var (alerts, _) = RenderedRules.Names(rules);
        foreach (var alert in alerts)
        {
            Assert.Contains($"runbook_url: \"https://docs.example.com/operations.md#{alert.ToLowerInvariant()}\"", rules, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Render_RemediationWindow_ReachesBothHalvesOfTheRule()
    {
        var rules = await RenderedRules.RenderAsync("monitoring.prometheusRule.alerts.remediationStopped.window=\"15m\"");

        Assert.Contains("offset 15m)", rules, StringComparison.Ordinal);
        Assert.Contains("rail!=\"pod_in_flight\"}[15m]))", rules, StringComparison.Ordinal);
        Assert.Contains("in the last 15m", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryAlert_HasARunbookSection()
    {
        var (alerts, _) = RenderedRules.Names(await RenderedRules.RenderAsync());
        var runbooks = await File.ReadAllTextAsync(Path.Combine(Helm.RepositoryRoot, "docs", "operations.md"));

        Assert.All(alerts, alert => Assert.Contains($"\n### {alert}\n", runbooks, StringComparison.Ordinal));
        Assert.All(alerts, alert => Assert.Contains($"[{alert}](#{alert.ToLowerInvariant()})", runbooks, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("3", "0.5", ">= 1")]
    [InlineData("1", "0.5", "> 0.5")]
    [InlineData("10", "0.05", "> 0.5")]
    [InlineData("2", "0.5", ">= 1")]
    public async Task Render_LatencyBudget_IsHalfTheTimeoutWithinTheHistogram(string timeoutSeconds, string fraction, string comparison)
    {
        var rules = await RenderedRules.RenderAsync(
            $"webhook.admission.timeoutSeconds={timeoutSeconds}",
            $"monitoring.prometheusRule.alerts.webhookLatency.budgetFraction={fraction}");

        Assert.Contains($"[5m]))) {comparison}\n", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_FatalXids_AreTheListedOnesOnly()
    {
        var rules = await RenderedRules.RenderAsync("monitoring.prometheusRule.alerts.fatalXid.xids=[79,48]");

        Assert.Contains("== 79 or DCGM_FI_DEV_XID_ERRORS{job=\"rel-platform-node-agent\"} == 48)", rules, StringComparison.Ordinal);
        Assert.DoesNotContain("== 94", rules, StringComparison.Ordinal);
    }
}
