using System.Text;
using System.Text.RegularExpressions;
using Platform.Operations.Tests.Rules;
using Platform.Operations.Tests.Tools;

namespace Platform.Operations.Tests.Dashboards;

/// <summary>The dashboard's shape and PromQL, without a Prometheus (the end-to-end test runs the queries).</summary>
public partial class DashboardTests
{
    [Fact]
    public void Dashboard_HasTheTemplateVariables_AndEveryPanelAQuery()
    {
        var dashboard = DashboardQueries.Load();
        var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => (string)v!["name"]!).ToList();

        Assert.Subset(variables.ToHashSet(), new HashSet<string> { "datasource", "cluster", "namespace", "ray_cluster" });
        var panels = DashboardQueries.Panels(dashboard).ToList();
        Assert.All(panels, p => Assert.NotEmpty(p["targets"]!.AsArray()));
        Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
        Assert.All(DashboardQueries.All(), q => Assert.DoesNotContain("$", q.Query, StringComparison.Ordinal));
    }

    [Fact]
    public void Dashboard_CoversFleetRayClustersNodesAndWebhook()
    {
        var rows = DashboardQueries.Load()["panels"]!.AsArray().Where(p => (string?)p!["type"] == "row").Select(p => (string)p!["title"]!).ToList();

        Assert.Equal(["Fleet", "Ray clusters and groups", "Node and GPU", "Webhook"], rows);
    }

    [Fact]
    public async Task Dashboard_RecordedSeries_AreRecordedByTheRules()
    {
        var (_, records) = RenderedRules.Names(await RenderedRules.RenderAsync());
        var used = DashboardQueries.All().SelectMany(q => RecordedName().Matches(q.Expr).Select(m => m.Value)).Distinct().ToList();

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, records));
    }

    [PromtoolFact]
    public async Task Dashboard_EveryQuery_IsValidPromQL()
    {
        // promtool has no expression checker; a rule file with each query as a recording rule is checked instead.
        using var directory = new TempDirectory("platform-dashboard-");
        var queries = DashboardQueries.All();
        var file = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < queries.Count; i++)
        {
            file.Append("      - record: dashboard_query_").Append(i).Append("\n        expr: '").Append(queries[i].Query.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        }

        var path = Path.Combine(directory.Path, "dashboard.yml");
        await File.WriteAllTextAsync(path, file.ToString());

        var result = await Promtool.RunAsync(directory.Path, "check", "rules", path);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains($"SUCCESS: {queries.Count} rules found", result.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\b[a-z_]+:raygpu_[a-z_]+:[a-z0-9]+\b")]
    private static partial Regex RecordedName();
}
