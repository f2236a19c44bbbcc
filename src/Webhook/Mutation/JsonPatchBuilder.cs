using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

/// <summary>Edits a working copy of the pod and records each edit as an explicit RFC 6902 operation against
/// the raw JSON, so the mutation steps read the pod as it will be after the patch. Missing parents are
/// created in the same operation (worker pods usually have no annotations, nodeSelector or affinity),
/// and every operation is set-if-different, which keeps the webhook idempotent under reinvocation.</summary>
internal sealed class JsonPatchBuilder(JsonObject document)
{
    private readonly List<JsonPatchOperation> operations = [];

    public JsonObject Document => document;

    public IReadOnlyList<JsonPatchOperation> Operations => operations;

    /// <summary>Sets <paramref name="key"/> in the object at <paramref name="objectPath"/>, creating the
    /// missing part of the path. No operation when the value is already equal.</summary>
    public void Set(ReadOnlySpan<string> objectPath, string key, JsonNode value)
    {
        var (deepest, found) = Walk(objectPath);
        if (found == objectPath.Length)
        {
            var target = AsObject(deepest, objectPath);
            var exists = target.TryGetPropertyValue(key, out var current) && current is not null;
            if (exists && JsonNode.DeepEquals(current, value))
            {
                return;
            }

            target[key] = value;
            Record(exists ? JsonPatchOperation.ReplaceOp : JsonPatchOperation.AddOp, objectPath, key, value);
            return;
        }

        // Build the missing tail as one nested value: {"annotations": {"k": "v"}} under /metadata.
        JsonNode nested = new JsonObject { [key] = value };
        for (var i = objectPath.Length - 1; i > found; i--)
        {
            nested = new JsonObject { [objectPath[i]] = nested };
        }

        AsObject(deepest, objectPath[..found])[objectPath[found]] = nested;
        Record(JsonPatchOperation.AddOp, objectPath[..found], objectPath[found], nested);
    }

    /// <summary>Appends <paramref name="item"/> to the array named <paramref name="name"/> in the object at
    /// <paramref name="objectPath"/>, creating the array (and its parents) when missing.</summary>
    public void Append(ReadOnlySpan<string> objectPath, string name, JsonNode item)
    {
        var (deepest, found) = Walk(objectPath);
        var existing = found == objectPath.Length ? AsObject(deepest, objectPath)[name] : null;
        if (existing is not null and not JsonArray)
        {
            throw new MutationException($"{JsonPointer.Build([.. objectPath, name])} is a {existing.GetValueKind()}, not an array");
        }

        if (existing is JsonArray array)
        {
            var index = array.Count.ToString(CultureInfo.InvariantCulture);
            array.Add(item);
            Record(JsonPatchOperation.AddOp, [.. objectPath, name], index, item);
            return;
        }

        Set(objectPath, name, new JsonArray(item));
    }

    /// <summary>Replaces the existing value at <paramref name="path"/> (an object member or array element).</summary>
    public void Replace(ReadOnlySpan<string> path, JsonNode value)
    {
        var (parent, found) = Walk(path[..^1]);
        if (found != path.Length - 1)
        {
            throw new MutationException($"cannot replace {JsonPointer.Build(path.ToArray())}: its parent does not exist");
        }

        var last = path[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                if (JsonNode.DeepEquals(o[last], value))
                {
                    return;
                }

                o[last] = value;
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                if (JsonNode.DeepEquals(a[i], value))
                {
                    return;
                }

                a[i] = value;
                break;
            default:
                throw new MutationException($"cannot replace {JsonPointer.Build(path.ToArray())}: it does not exist");
        }

        Record(JsonPatchOperation.ReplaceOp, path[..^1], last, value);
    }

    /// <summary>Follows <paramref name="path"/> as far as it exists; returns the deepest node and how many
    /// segments were found. A JSON null counts as missing.</summary>
    private (JsonNode Node, int Found) Walk(ReadOnlySpan<string> path)
    {
        JsonNode node = document;
        for (var i = 0; i < path.Length; i++)
        {
            JsonNode? next = node switch
            {
                JsonObject o => o[path[i]],
                JsonArray a when int.TryParse(path[i], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < a.Count => a[index],
                _ => throw new MutationException($"{JsonPointer.Build(path[..i].ToArray())} is not an object or array"),
            };
            if (next is null)
            {
                return (node, i);
            }

            node = next;
        }

        return (node, path.Length);
    }

    private static JsonObject AsObject(JsonNode node, ReadOnlySpan<string> path) =>
        node as JsonObject ?? throw new MutationException($"{JsonPointer.Build(path.ToArray())} is a {node.GetValueKind()}, not an object");

    private void Record(string op, ReadOnlySpan<string> parent, string last, JsonNode value) =>
        operations.Add(new JsonPatchOperation(op, JsonPointer.Build(parent, last), value.DeepClone()));
}

/// <summary>The pod has a shape the mutation cannot work with (a field of the wrong type). The admission
/// then follows <c>Admission:OnError</c>.</summary>
internal sealed class MutationException(string message) : Exception(message);
