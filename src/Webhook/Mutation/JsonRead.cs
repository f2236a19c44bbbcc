using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

/// <summary>Lenient reads from raw JSON: a missing or differently-typed value reads as null, never throws.</summary>
internal static class JsonRead
{
    public static string? String(JsonObject? o, string name) =>
        o is not null && o.TryGetPropertyValue(name, out var v) && v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;

    public static JsonObject? Object(JsonNode? node, string name) => node is JsonObject o ? o[name] as JsonObject : null;

    public static JsonArray? Array(JsonNode? node, string name) => node is JsonObject o ? o[name] as JsonArray : null;
}
