using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Policy;

/// <summary>A core/v1 Toleration. Two tolerations are the same one when key, operator, value and effect agree
/// (an empty operator means Equal, as the scheduler reads it).</summary>
internal sealed record Toleration(string? Key, string? Operator, string? Value, string? Effect, long? TolerationSeconds)
{
    private const string Equal = "Equal";

    public string NormalizedOperator => string.IsNullOrEmpty(Operator) ? Equal : Operator;

    // Compared in place (JsonRead.TextEquals/SameText): the check runs over every pair of a pod's tolerations
    // on every admission, and reading each field as a string allocated one per field per pair.
    public bool SameAs(JsonObject toleration) =>
        JsonRead.TextEquals(toleration, "key", Key)
        && (JsonRead.IsNoText(toleration, "operator") ? NormalizedOperator == Equal : JsonRead.TextEquals(toleration, "operator", NormalizedOperator))
        && JsonRead.TextEquals(toleration, "value", Value)
        && JsonRead.TextEquals(toleration, "effect", Effect);

    public static bool SameIdentity(JsonObject a, JsonObject b) =>
        JsonRead.SameText(a, b, "key")
        && SameOperator(a, b)
        && JsonRead.SameText(a, b, "value")
        && JsonRead.SameText(a, b, "effect");

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

    /// <summary>An empty operator means Equal, as the scheduler reads it.</summary>
    private static bool SameOperator(JsonObject a, JsonObject b) =>
        (JsonRead.IsNoText(a, "operator"), JsonRead.IsNoText(b, "operator")) switch
        {
            (true, true) => true,
            (true, false) => JsonRead.TextEquals(b, "operator", Equal),
            (false, true) => JsonRead.TextEquals(a, "operator", Equal),
            _ => JsonRead.SameText(a, b, "operator"),
        };
}
