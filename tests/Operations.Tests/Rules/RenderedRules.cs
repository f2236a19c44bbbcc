using Platform.Chart.Tests;
using YamlDotNet.RepresentationModel;

namespace Platform.Operations.Tests.Rules;

/// <summary>
/// The chart's PrometheusRule rendered by real Helm, cut down to its <c>groups</c>: the rule file Prometheus
/// and promtool read. Release <c>rel</c>, so the jobs are rel-platform-node-agent and rel-platform-webhook.
/// </summary>
internal static class RenderedRules
{
    public const string FileName = "rules.yml";

    /// <summary>Renders with <paramref name="setValues"/> as <c>--set-json</c> (key=JSON): Helm 4's --set
    /// reads 0.5 as a string, which the schema rightly refuses for a number.</summary>
    public static async Task<string> RenderAsync(params string[] setValues)
    {
        var args = new List<string> { "template", "rel", Helm.ChartDirectory, "--namespace", "ray-system", "--set", "monitoring.prometheusRule.enabled=true" };
        foreach (var value in setValues)
        {
            args.Add("--set-json");
            args.Add(value);
        }

        args.AddRange(["--show-only", "templates/monitoring/prometheusrule.yaml"]);
        var result = await Helm.RunAsync([.. args]);
        Assert.True(result.ExitCode == 0, "helm template failed: " + result.Describe());

        var stream = new YamlStream();
        stream.Load(new StringReader(result.Stdout));
        var rule = (YamlMappingNode)Assert.Single(stream.Documents, d => d.RootNode is YamlMappingNode m && m["kind"] is YamlScalarNode { Value: "PrometheusRule" }).RootNode;
        using var output = new StringWriter();
        new YamlStream(new YamlDocument(rule["spec"])).Save(output, assignAnchors: false);
        return output.ToString();
    }

    public static async Task<string> WriteAsync(string directory, params string[] setValues)
    {
        var path = Path.Combine(directory, FileName);
        await File.WriteAllTextAsync(path, await RenderAsync(setValues));
        return path;
    }

    /// <summary>Alert and record names in file order.</summary>
    public static (IReadOnlyList<string> Alerts, IReadOnlyList<string> Records) Names(string rulesYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(rulesYaml));
        var alerts = new List<string>();
        var records = new List<string>();
        foreach (var group in ((YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["groups"]).Cast<YamlMappingNode>())
        {
            foreach (var rule in ((YamlSequenceNode)group["rules"]).Cast<YamlMappingNode>())
            {
                if (rule.Children.TryGetValue(new YamlScalarNode("alert"), out var alert))
                {
                    alerts.Add(((YamlScalarNode)alert).Value!);
                }
                else
                {
                    records.Add(((YamlScalarNode)rule["record"]).Value!);
                }
            }
        }

        return (alerts, records);
    }
}
