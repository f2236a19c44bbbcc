using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Operations.Tests.EndToEnd;

/// <summary>The few calls of Prometheus's HTTP API the tests read.</summary>
internal sealed class PrometheusClient(HttpClient http)
{
    public async Task<IReadOnlyList<QuerySample>> QueryAsync(string query)
    {
        var data = await GetDataAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
        return
        [
            .. data["result"]!.AsArray().Select(r => new QuerySample(
                Labels(r!["metric"]!.AsObject()),
                double.Parse((string)r["value"]![1]!, NumberStyles.Float, CultureInfo.InvariantCulture))),
        ];
    }

    public async Task<IReadOnlyList<ActiveAlert>> AlertsAsync()
    {
        var data = await GetDataAsync("/api/v1/alerts");
        return [.. data["alerts"]!.AsArray().Select(a => new ActiveAlert(Labels(a!["labels"]!.AsObject()), (string)a["state"]!))];
    }

    /// <summary>What Grafana's <c>label_values(match, label)</c> variable query asks for.</summary>
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string label, string match)
    {
        var body = await http.GetStringAsync(new Uri($"/api/v1/label/{label}/values?match[]={Uri.EscapeDataString(match)}", UriKind.Relative));
        var response = JsonNode.Parse(body)!.AsObject();
        Assert.True((string?)response["status"] == "success", $"label values of {label}: {body}");
        return [.. response["data"]!.AsArray().Select(v => (string)v!)];
    }

    private async Task<JsonObject> GetDataAsync(string path)
    {
        var body = await http.GetStringAsync(new Uri(path, UriKind.Relative));
        var response = JsonNode.Parse(body)!.AsObject();
        Assert.True((string?)response["status"] == "success", $"GET {path}: {body}");
        return response["data"]!.AsObject();
    }

    private static Dictionary<string, string> Labels(JsonObject labels) =>
        labels.ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
}
