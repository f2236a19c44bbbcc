using System.Text.Json.Nodes;

namespace Platform.Sandbox.Scenario;

/// <summary>
/// The scheduler's node checks that decide whether a mutated pod may land on the simulated node: nodeSelector,
/// required node affinity (In, NotIn, Exists, DoesNotExist) and NoSchedule/NoExecute taints against tolerations.
/// Null means it fits; otherwise the reason, worded like the scheduler's.
/// </summary>
internal static class NodeFit
{
    public static string? Check(JsonObject pod, IReadOnlyDictionary<string, string> labels, IReadOnlyList<(string Key, string? Value, string Effect)> taints)
    {
        var spec = pod["spec"] as JsonObject ?? [];
        foreach (var (key, value) in spec["nodeSelector"] as JsonObject ?? [])
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value?.ToString())
            {
                return $"node(s) didn't match Pod's node selector: {key}={value} (the node has {(actual is null ? "no such label" : $"{key}={actual}")})";
            }
        }

        if (spec["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] is JsonArray { Count: > 0 } terms
            && !terms.OfType<JsonObject>().Any(term => (term["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().All(e => Matches(e, labels))))
        {
            return "node(s) didn't match Pod's node affinity/selector";
        }

        var tolerations = (spec["tolerations"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var taint in taints.Where(t => t.Effect is "NoSchedule" or "NoExecute"))
        {
            if (!tolerations.Any(t => Tolerates(t, taint)))
            {
                return $"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}";
            }
        }

        return null;
    }

    private static bool Matches(JsonObject expression, IReadOnlyDictionary<string, string> labels)
    {
        var key = expression["key"]?.ToString() ?? string.Empty;
        var values = (expression["values"] as JsonArray ?? []).Select(v => v?.ToString()).ToHashSet(StringComparer.Ordinal);
        var has = labels.TryGetValue(key, out var actual);
        return expression["operator"]?.ToString() switch
        {
            "In" => has && values.Contains(actual),
            "NotIn" => !has || !values.Contains(actual),
            "Exists" => has,
            "DoesNotExist" => !has,
            // Gt/Lt compare integers; anything else matches nothing, as the scheduler treats an invalid requirement.
            "Gt" => has && long.TryParse(actual, out var a) && long.TryParse(values.FirstOrDefault(), out var b) && a > b,
            "Lt" => has && long.TryParse(actual, out var c) && long.TryParse(values.FirstOrDefault(), out var d) && c < d,
            _ => false,
        };
    }

    private static bool Tolerates(JsonObject toleration, (string Key, string? Value, string Effect) taint)
    {
        var effect = toleration["effect"]?.ToString();
        if (!string.IsNullOrEmpty(effect) && effect != taint.Effect)
        {
            return false;
        }

        var key = toleration["key"]?.ToString();
        var exists = toleration["operator"]?.ToString() == "Exists";
        if (string.IsNullOrEmpty(key))
        {
            return exists;
        }

        return key == taint.Key && (exists || (toleration["value"]?.ToString() ?? string.Empty) == (taint.Value ?? string.Empty));
    }
}
