using System.Text.Json.Nodes;

namespace Platform.Webhook.Policy;

/// <summary>A core/v1 Toleration. Two tolerations are the same one when key, operator, value and effect agree
/// (an empty operator means Equal, as the scheduler reads it).</summary>
internal sealed record Toleration(string? Key, string? Operator, string? Value, string? Effect, long? TolerationSeconds)
{
    public string NormalizedOperator => string.IsNullOrEmpty(Operator) ? "Equal" : Operator;

    public bool SameAs(JsonObject toleration) =>
        Same(Key, Text(toleration, "key"))
        && string.Equals(NormalizedOperator, Normalize(Text(toleration, "operator")), StringComparison.Ordinal)
        && Same(Value, Text(toleration, "value"))
        && Same(Effect, Text(toleration, "effect"));

    public static bool SameIdentity(JsonObject a, JsonObject b) =>
        Same(Text(a, "key"), Text(b, "key"))
        && string.Equals(Normalize(Text(a, "operator")), Normalize(Text(b, "operator")), StringComparison.Ordinal)
        && Same(Text(a, "value"), Text(b, "value"))
        && Same(Text(a, "effect"), Text(b, "effect"));

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (!string.IsNullOrEmpty(Key))
        {
            json["key"] = Key;
        }

        json["operator"] = NormalizedOperator;
        if (!string.IsNullOrEmpty(Value))
        {
            json["value"] = Value;
        }

        if (!string.IsNullOrEmpty(Effect))
        {
            json["effect"] = Effect;
        }

        if (TolerationSeconds is { } seconds)
        {
            json["tolerationSeconds"] = seconds;
        }

        return json;
    }

    public override string ToString() =>
        $"{Key}{(NormalizedOperator == "Exists" ? string.Empty : "=" + Value)}:{(string.IsNullOrEmpty(Effect) ? "*" : Effect)}";

    private static string Normalize(string? op) => string.IsNullOrEmpty(op) ? "Equal" : op;

    private static bool Same(string? a, string? b) => string.Equals(a ?? string.Empty, b ?? string.Empty, StringComparison.Ordinal);

    private static string? Text(JsonObject o, string name) =>
        o.TryGetPropertyValue(name, out var v) && v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;
}
