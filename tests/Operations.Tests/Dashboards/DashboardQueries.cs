using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Chart.Tests;

namespace Platform.Operations.Tests.Dashboards;

/// <summary>The dashboard the chart ships (charts/platform/dashboards/platform.json) and its panels' queries.</summary>
internal static partial class DashboardQueries
{
    public static string FilePath => Path.Combine(Helm.ChartDirectory, "dashboards", "platform.json");

    public static JsonObject Load() => JsonNode.Parse(File.ReadAllText(FilePath))!.AsObject();

    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().Select(p => p!.AsObject()).Where(p => (string?)p["type"] != "row");

    public static IReadOnlyList<PanelQuery> All() =>
    [
        .. Panels(Load()).SelectMany(p => p["targets"]!.AsArray().Select(t => new PanelQuery(
            (string)p["title"]!,
            (string)t!["refId"]!,
            (string)t["expr"]!,
            Substitute((string)t["expr"]!)))),
    ];

    /// <summary>Every template variable as "All" (Grafana sends allValue, <c>.*</c>), the rate interval and range as a short dashboard would.</summary>
    public static string Substitute(string expr) =>
        Variable().Replace(expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$__range", "5m", StringComparison.Ordinal), ".*");

    [GeneratedRegex(@"\$(cluster|namespace|ray_cluster|node|gpu)\b")]
    private static partial Regex Variable();
}
