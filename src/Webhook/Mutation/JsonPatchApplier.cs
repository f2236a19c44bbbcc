using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

/// <summary>Applies RFC 6902 <c>add</c> and <c>replace</c> operations to a document, strictly as the API
/// server will: a missing parent is an error. Used to prove a patch applies before answering with it.</summary>
internal static class JsonPatchApplier
{
    public static void Apply(JsonNode document, IReadOnlyList<JsonPatchOperation> patch)
    {
        foreach (var op in patch)
        {
            var segments = JsonPointer.Parse(op.Path);
            if (segments.Length == 0)
            {
                throw new JsonPatchException($"{op.Op} {op.Path}: replacing the whole document is not supported");
            }

            var parent = Resolve(document, segments.AsSpan(0, segments.Length - 1), op);
            var last = segments[^1];
            var value = op.Value?.DeepClone();
            switch (op.Op, parent)
            {
                case (JsonPatchOperation.AddOp, JsonObject o):
                    o[last] = value;
                    break;
                case (JsonPatchOperation.ReplaceOp, JsonObject o) when o.ContainsKey(last):
                    o[last] = value;
                    break;
                case (JsonPatchOperation.AddOp, JsonArray a):
                    var at = last == "-" ? a.Count : Index(last, a.Count, op);
                    a.Insert(at, value);
                    break;
                case (JsonPatchOperation.ReplaceOp, JsonArray a):
                    a[Index(last, a.Count - 1, op)] = value;
                    break;
                default:
                    throw new JsonPatchException($"{op.Op} {op.Path}: target does not exist or operation is not supported");
            }
        }
    }

    private static JsonNode Resolve(JsonNode document, ReadOnlySpan<string> segments, JsonPatchOperation op)
    {
        var node = document;
        foreach (var segment in segments)
        {
            node = node switch
            {
                JsonObject o when o[segment] is { } child => child,
                JsonArray a when a.Count > 0 && a[Index(segment, a.Count - 1, op)] is { } item => item,
                _ => throw new JsonPatchException($"{op.Op} {op.Path}: parent \"{segment}\" does not exist"),
            };
        }

        return node;
    }

    private static int Index(string segment, int max, JsonPatchOperation op) =>
        int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= max
            ? i
            : throw new JsonPatchException($"{op.Op} {op.Path}: array index \"{segment}\" is out of range");
}

internal sealed class JsonPatchException(string message) : Exception(message);
