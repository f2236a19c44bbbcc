using System.Text.Json.Nodes;
using Platform.Chart.Tests;
using YamlDotNet.RepresentationModel;

namespace Platform.Operations.Tests.Rules;

/// <summary>The monitoring switches (auto, true, false), the dashboard ConfigMap and the schema's guard on the new values.</summary>
public class MonitoringValuesTests
{
    private const string OperatorApi = "monitoring.coreos.com/v1";
    private const string RuleApi = "monitoring.coreos.com/v1/PrometheusRule";

    [Theory]
    [InlineData("auto", false, false)]
    [InlineData("auto", true, true)]
    [InlineData("true", false, true)]
    [InlineData("false", true, false)]
    public async Task PrometheusRule_Switch_RendersAsSet(string enabled, bool operatorInstalled, bool rendered)
    {
        var kinds = await KindsAsync(operatorInstalled, $"monitoring.prometheusRule.enabled={enabled}", "monitoring.dashboards.enabled=false");

        Assert.Equal(rendered, kinds.Contains("PrometheusRule"));
        Assert.DoesNotContain("ConfigMap/rel-platform-dashboard", kinds);
    }

    [Theory]
    [InlineData("auto", false, false)]
    [InlineData("auto", true, true)]
    [InlineData("true", false, true)]
    [InlineData("false", true, false)]
    public async Task Dashboards_Switch_RendersAsSet(string enabled, bool operatorInstalled, bool rendered)
    {
        var kinds = await KindsAsync(operatorInstalled, $"monitoring.dashboards.enabled={enabled}", "monitoring.prometheusRule.enabled=false");

        Assert.Equal(rendered, kinds.Contains("ConfigMap/rel-platform-dashboard"));
        Assert.DoesNotContain("PrometheusRule", kinds);
    }

    [Fact]
    public async Task DashboardConfigMap_CarriesTheDashboardFile_ForTheGrafanaSidecar()
    {
        var configMap = Assert.Single(await DocumentsAsync(false, "monitoring.dashboards.enabled=true", "monitoring.dashboards.namespace=grafana", "monitoring.dashboards.annotations.grafana_folder=GPUs"), d => Name(d) == "ConfigMap/rel-platform-dashboard");
        var metadata = (YamlMappingNode)configMap["metadata"];

        Assert.Equal("1", ((YamlScalarNode)((YamlMappingNode)metadata["labels"])["grafana_dashboard"]).Value);
        Assert.Equal("grafana", ((YamlScalarNode)metadata["namespace"]).Value);
        Assert.Equal("GPUs", ((YamlScalarNode)((YamlMappingNode)metadata["annotations"])["grafana_folder"]).Value);
        var json = ((YamlScalarNode)((YamlMappingNode)configMap["data"])["platform.json"]).Value!;
        var file = await File.ReadAllTextAsync(Path.Combine(Helm.ChartDirectory, "dashboards", "platform.json"));
        Assert.Equal(file.TrimEnd('\n'), json);
        Assert.Equal("raygpu-platform", (string?)JsonNode.Parse(json)!["uid"]);
    }

    [Fact]
    public async Task PrometheusRule_Labels_ReachTheRuleSelector()
    {
        var rule = Assert.Single(await DocumentsAsync(true, "monitoring.prometheusRule.labels.release=kube-prometheus-stack"), d => Name(d) == "PrometheusRule/rel-platform");

        Assert.Equal("kube-prometheus-stack", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)rule["metadata"])["labels"])["release"]).Value);
    }

    [Theory]
    [InlineData("monitoring.prometheusRule.enabled=maybe")]
    [InlineData("monitoring.dashboards.enabled=yes")]
    [InlineData("monitoring.prometheusRule.alerts.gpuUnhealthy.for=5 minutes")]
    [InlineData("monitoring.prometheusRule.alerts.gpuIdle.utilisationPercent=150")]
    [InlineData("monitoring.prometheusRule.alerts.webhookLatency.budgetFraction=0")]
    [InlineData("monitoring.prometheusRule.alerts.fatalXid.xids={}")]
    [InlineData("monitoring.prometheusRule.alerts.noSuchAlert.for=5m")]
    [InlineData("monitoring.prometheusRule.alerts.gpuUnhealthy.forr=5m")]
    [InlineData("monitoring.prometheusRule.alerts.remediationStopped.window=1 hour")]
    [InlineData("monitoring.prometheusRule.alerts.nodeGpuDegraded.severity=")]
    public async Task Schema_RefusesBadMonitoringValues(string setValue)
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", setValue);

        Assert.True(result.ExitCode != 0, $"helm accepted {setValue}");
        Assert.Contains("monitoring", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<string>> KindsAsync(bool operatorInstalled, params string[] setValues) =>
        [.. (await DocumentsAsync(operatorInstalled, setValues)).Select(d => Name(d) is var name && name.StartsWith("PrometheusRule/", StringComparison.Ordinal) ? "PrometheusRule" : name)];

    private static async Task<IReadOnlyList<YamlMappingNode>> DocumentsAsync(bool operatorInstalled, params string[] setValues)
    {
        var args = new List<string> { "template", "rel", Helm.ChartDirectory, "--namespace", "ray-system" };
        if (operatorInstalled)
        {
            args.AddRange(["--api-versions", OperatorApi, "--api-versions", RuleApi]);
        }

        foreach (var value in setValues)
        {
            args.AddRange(["--set", value]);
        }

        var result = await Helm.RunAsync([.. args]);
        Assert.True(result.ExitCode == 0, "helm template failed: " + result.Describe());
        var stream = new YamlStream();
        stream.Load(new StringReader(result.Stdout));
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    private static string Name(YamlMappingNode document) =>
        $"{((YamlScalarNode)document["kind"]).Value}/{((YamlScalarNode)((YamlMappingNode)document["metadata"])["name"]).Value}";
}
