using System.Text.Json.Nodes;

namespace Platform.Webhook.Policy;

/// <summary>A core/v1 Toleration. Two tolerations are the same one when key, operator, value and effect agree
/// (an empty operator means Equal, as the scheduler reads it): see <see cref="Identity"/>.</summary>
internal sealed record Toleration(string? Key, string? Operator, string? Value, string? Effect, long? TolerationSeconds)
{
    public const string EqualOperator = "Equal";

    public string NormalizedOperator => string.IsNullOrEmpty(Operator) ? EqualOperator : Operator;

    /// <summary>Key, operator, value and effect with "missing" and "empty" read alike, as the scheduler reads them.</summary>
    public TolerationIdentity Identity => new(Key ?? string.Empty, NormalizedOperator, Value ?? string.Empty, Effect ?? string.Empty);

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
}
