using System.Text;
using System.Text.Json;

namespace Platform.NodeAgent.Labels;

/// <summary>Writes the JSON merge patches the agent sends to its Node.</summary>
internal static class NodePatchBuilder
{
    /// <summary><c>{"metadata":{"labels":{"k":"v","stale":null}}}</c></summary>
    public static string Labels(IReadOnlyDictionary<string, string?> labels) => Write(writer =>
    {
        writer.WriteStartObject("metadata");
        writer.WriteStartObject("labels");
        foreach (var (key, value) in labels)
        {
            if (value is null)
            {
                writer.WriteNull(key);
            }
            else
            {
                writer.WriteString(key, value);
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    /// <summary>
    /// A merge patch replaces the whole taint list, so it carries the resourceVersion it was computed from:
    /// the API server answers 409 if another writer changed the Node in between, and the next resync retries.
    /// </summary>
    public static string Taints(IReadOnlyList<NodeTaint> taints, string? resourceVersion) => Write(writer =>
    {
        if (resourceVersion is not null)
        {
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", resourceVersion);
            writer.WriteEndObject();
        }

        writer.WriteStartObject("spec");
        writer.WriteStartArray("taints");
        foreach (var taint in taints)
        {
            writer.WriteStartObject();
            writer.WriteString("key", taint.Key);
            if (taint.Value is not null)
            {
                writer.WriteString("value", taint.Value);
            }

            writer.WriteString("effect", taint.Effect);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
