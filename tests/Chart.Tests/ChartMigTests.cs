using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary><c>nodeAgent.mig.strategy</c>: the agent's <c>Mig:Strategy</c>, and MIG monitor access only when MIG is used (DECISIONS 6).</summary>
public sealed class ChartMigTests
{
    private static JsonNode Container(RenderedChart chart) => chart.Single("DaemonSet")["spec"]!["template"]!["spec"]!["containers"]![0]!;

    private static List<string> Args(JsonNode container) => [.. container["args"]!.AsArray().Select(a => (string)a!)];

    private static List<string> EnvNames(JsonNode container) => [.. container["env"]!.AsArray().Select(e => (string)e!["name"]!)];

    private static List<string> Added(JsonNode container) =>
        [.. container["securityContext"]!["capabilities"]?["add"]?.AsArray().Select(c => (string)c!) ?? []];

    [Fact]
    public async Task Default_StrategyNone_NoMigMonitorAccess()
    {
        var container = Container(await RenderedChart.RenderAsync().WaitAsync(TimeSpan.FromSeconds(90)));

        Assert.Contains("--Mig:Strategy=none", Args(container));
        Assert.DoesNotContain("NVIDIA_MIG_MONITOR_DEVICES", EnvNames(container));
        Assert.Empty(Added(container));
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
    }

    [Theory]
    [InlineData("single")]
    [InlineData("mixed")]
    public async Task MigStrategy_PassedToTheAgentWithMonitorDevicesAndSysAdmin(string strategy)
    {
        var container = Container(await RenderedChart.RenderAsync("--set", $"nodeAgent.mig.strategy={strategy}").WaitAsync(TimeSpan.FromSeconds(90)));

        var monitor = container["env"]!.AsArray().Single(e => (string?)e!["name"] == "NVIDIA_MIG_MONITOR_DEVICES")!;
        Assert.Contains($"--Mig:Strategy={strategy}", Args(container));
        Assert.Equal("all", (string?)monitor["value"]);
        Assert.Equal(["SYS_ADMIN"], Added(container));
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
        Assert.False((bool?)container["securityContext"]!["allowPrivilegeEscalation"]);
    }

    [Fact]
    public async Task MigStrategy_Unknown_RejectedByTheSchema()
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", "nodeAgent.mig.strategy=auto").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("strategy", result.Stderr, StringComparison.Ordinal);
    }
}
