using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary>
/// Whether the scheduler may place a pod on a Node with the given labels: its <c>nodeSelector</c> and its required
/// node affinity (terms ORed, requirements within a term ANDed), with the operators the chart writes.
/// </summary>
internal static class NodeAffinity
{
    public static bool Admits(JsonNode podSpec, IReadOnlyDictionary<string, string> labels)
    {
        if (podSpec["nodeSelector"] is JsonObject selector
            && selector.Any(pair => !labels.TryGetValue(pair.Key, out var value) || value != (string?)pair.Value))
        {
            return false;
        }

        var terms = podSpec["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]?.AsArray();
        return terms is null || terms.Any(term => (term!["matchExpressions"]?.AsArray() ?? []).All(r => Holds(r!, labels)));
    }

    private static bool Holds(JsonNode requirement, IReadOnlyDictionary<string, string> labels)
    {
        var key = (string)requirement["key"]!;
        var values = requirement["values"]?.AsArray().Select(v => (string)v!).ToList() ?? [];
        var present = labels.TryGetValue(key, out var value);
        return (string?)requirement["operator"] switch
        {
            "In" => present && values.Contains(value!),
            "NotIn" => !present || !values.Contains(value!),
            "Exists" => present,
            "DoesNotExist" => !present,
            var other => throw new NotSupportedException($"operator {other}"),
        };
    }
}
