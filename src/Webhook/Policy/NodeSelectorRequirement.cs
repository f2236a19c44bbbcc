using System.Text.Json.Nodes;

namespace Platform.Webhook.Policy;

/// <summary>A core/v1 NodeSelectorRequirement, ANDed into every required node-affinity term.</summary>
internal sealed record NodeSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["key"] = Key, ["operator"] = Operator };
        if (Values.Count > 0)
        {
            var values = new JsonArray();
            foreach (var v in Values)
            {
                values.Add((JsonNode)JsonValue.Create(v));
            }

            json["values"] = values;
        }

        return json;
    }

    /// <summary>Same key, operator and set of values.</summary>
    public bool SameAs(JsonObject expression)
    {
        if (!Is(expression, "key", Key) || !Is(expression, "operator", Operator))
        {
            return false;
        }

        var theirs = new HashSet<string>(StringComparer.Ordinal);
        if (expression["values"] is JsonArray values)
        {
            foreach (var v in values)
            {
                if (v is JsonValue jv && jv.TryGetValue<string>(out var s))
                {
                    theirs.Add(s);
                }
            }
        }

        return theirs.SetEquals(Values);
    }

    public override string ToString() =>
        Values.Count == 0 ? $"{Key} {Operator}" : $"{Key} {Operator} [{string.Join(",", Values)}]";

    private static bool Is(JsonObject o, string name, string expected) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) && s == expected;
}
