using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

/// <summary>Lenient reads from raw JSON: a missing or differently-typed value reads as null, never throws.</summary>
internal static class JsonRead
{
    public static string? String(JsonObject? o, string name)
    {
        if (o is null || !o.TryGetPropertyValue(name, out var v) || v is not JsonValue jv)
        {
            return null;
        }

        try
        {
            return jv.TryGetValue<string>(out var s) ? s : null;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape is valid JSON but no .NET string: read as no text, as a number would be.
            return null;
        }
    }

    /// <summary>The same read from an element of the request's document (a lone surrogate escape is valid JSON but
    /// no valid UTF-16 string: no text either).</summary>
    public static string? String(JsonElement o, string name)
    {
        if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return v.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public static JsonObject? Object(JsonNode? node, string name) => node is JsonObject o ? o[name] as JsonObject : null;

    public static JsonArray? Array(JsonNode? node, string name) => node is JsonObject o ? o[name] as JsonArray : null;

    /// <summary>Whether the string at <paramref name="name"/> is <paramref name="expected"/>, where a missing,
    /// non-string or empty value and a null or empty <paramref name="expected"/> all count as "no text".
    /// Compares in place: a value read from the request stays in its document, no string is made.</summary>
    public static bool TextEquals(JsonObject o, string name, string? expected)
    {
        var value = NonEmptyString(o, name);
        if (value is null || string.IsNullOrEmpty(expected))
        {
            return value is null && string.IsNullOrEmpty(expected);
        }

        return value.TryGetValue<JsonElement>(out var element) ? element.ValueEquals(expected) : value.GetValue<string>() == expected;
    }

    /// <summary>Whether two objects hold the same text at <paramref name="name"/>, with the "no text" rule of
    /// <see cref="TextEquals"/>.</summary>
    public static bool SameText(JsonObject a, JsonObject b, string name)
    {
        var first = NonEmptyString(a, name);
        var second = NonEmptyString(b, name);
        if (first is null || second is null)
        {
            return first is null && second is null;
        }

        return first.TryGetValue<JsonElement>(out var x) && second.TryGetValue<JsonElement>(out var y)
            ? JsonElement.DeepEquals(x, y)
            : first.GetValue<string>() == second.GetValue<string>();
    }

    /// <summary>Whether the value at <paramref name="name"/> is missing, not a string, or empty.</summary>
    public static bool IsNoText(JsonObject o, string name) => NonEmptyString(o, name) is null;

    private static JsonValue? NonEmptyString(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var empty = value.TryGetValue<JsonElement>(out var element) ? element.ValueEquals(string.Empty) : value.GetValue<string>().Length == 0;
        return empty ? null : value;
    }
}
