using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

/// <summary>One RFC 6902 operation. The webhook only emits <c>add</c> and <c>replace</c>.</summary>
internal sealed record JsonPatchOperation(string Op, string Path, JsonNode? Value)
{
    public const string AddOp = "add";
    public const string ReplaceOp = "replace";
}

internal static class JsonPatchSerializer
{
    public static byte[] ToUtf8Json(IReadOnlyList<JsonPatchOperation> patch)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 + (patch.Count * 128));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, patch);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<JsonPatchOperation> patch)
    {
        writer.WriteStartArray();
        foreach (var op in patch)
        {
            writer.WriteStartObject();
            writer.WriteString("op", op.Op);
            writer.WriteString("path", op.Path);
            writer.WritePropertyName("value");
            if (op.Value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                op.Value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
