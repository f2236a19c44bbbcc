using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Admission;

/// <summary>Reads a pod from <c>request.object</c> keeping, at their original paths and with their original
/// values, only what <see cref="PodMutator"/> reads or patches:
/// <list type="bullet">
/// <item><c>metadata.{name, generateName, namespace, labels, annotations}</c>, labels and annotations whole;</item>
/// <item><c>spec.containers</c>: every element, in order (patch paths use the index), each container with its
/// <c>name, resources, args, command, env</c> whole;</item>
/// <item><c>spec.tolerations, spec.nodeSelector, spec.affinity</c> whole (affinity must be whole: a patch
/// computed without podAntiAffinity would add /spec/affinity and wipe it).</item>
/// </list>
/// Everything else (initContainers, volumes, probes, managedFields, status...) is skipped. A kept member of
/// any other JSON type than expected (a string spec, a null container) is kept as it is, so the mutation
/// meets the same shape and fails the same way as on the full pod. Each kept subtree is a section that
/// <see cref="PodChecker"/> checks whole, so the verification on the sparse pod sees every touched
/// section complete.</summary>
internal static class SparsePodReader
{
    /// <summary>Reads the object the reader is on (a <see cref="JsonTokenType.StartObject"/>) and leaves the
    /// reader on its <see cref="JsonTokenType.EndObject"/>.</summary>
    public static JsonObject Read(ref Utf8JsonReader reader)
    {
        var pod = new JsonObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                pod["metadata"] = reader.TokenType == JsonTokenType.StartObject ? ReadMetadata(ref reader) : Whole(ref reader);
            }
            else if (reader.ValueTextEquals("spec"u8))
            {
                reader.Read();
                pod["spec"] = reader.TokenType == JsonTokenType.StartObject ? ReadSpec(ref reader) : Whole(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return pod;
    }

    /// <summary>The sparse form of a whole pod document (what the handler would build from it).</summary>
    public static JsonObject Read(ReadOnlySpan<byte> podJson)
    {
        var reader = new Utf8JsonReader(podJson);
        reader.Read();
        return reader.TokenType == JsonTokenType.StartObject ? Read(ref reader) : throw new JsonException("a pod must be a JSON object");
    }

    public static string? Namespace(JsonObject? pod) => JsonRead.String(JsonRead.Object(pod, "metadata"), "namespace");

    private static JsonObject ReadMetadata(ref Utf8JsonReader reader) => ReadKept(ref reader, MetadataKept);

    private static JsonObject ReadSpec(ref Utf8JsonReader reader)
    {
        var spec = new JsonObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("containers"u8))
            {
                reader.Read();
                spec["containers"] = reader.TokenType == JsonTokenType.StartArray ? ReadContainers(ref reader) : Whole(ref reader);
            }
            else if (Match(ref reader, SpecKept) is { } name)
            {
                KeepWhole(ref reader, spec, name);
            }
            else
            {
                reader.Skip();
            }
        }

        return spec;
    }

    private static JsonArray ReadContainers(ref Utf8JsonReader reader)
    {
        var containers = new JsonArray();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            containers.Add(reader.TokenType == JsonTokenType.StartObject ? ReadKept(ref reader, ContainerKept) : Whole(ref reader));
        }

        return containers;
    }

    /// <summary>Reads an object, keeping the named properties whole and skipping every other one.</summary>
    private static JsonObject ReadKept(ref Utf8JsonReader reader, KeptProperty[] kept)
    {
        var result = new JsonObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Match(ref reader, kept) is { } name)
            {
                KeepWhole(ref reader, result, name);
            }
            else
            {
                reader.Skip();
            }
        }

        return result;
    }

    private static string? Match(ref Utf8JsonReader reader, KeptProperty[] kept)
    {
        foreach (var property in kept)
        {
            if (reader.ValueTextEquals(property.Utf8))
            {
                return property.Name;
            }
        }

        return null;
    }

    private sealed record KeptProperty(string Name)
    {
        public byte[] Utf8 { get; } = System.Text.Encoding.UTF8.GetBytes(Name);
    }

    private static readonly KeptProperty[] MetadataKept = [new("labels"), new("annotations"), new("name"), new("generateName"), new("namespace")];
    private static readonly KeptProperty[] SpecKept = [new("tolerations"), new("nodeSelector"), new("affinity")];
    private static readonly KeptProperty[] ContainerKept = [new("name"), new("resources"), new("args"), new("env"), new("command")];

    /// <summary>From a property name: reads its value whole into <paramref name="target"/> under the same name.</summary>
    private static void KeepWhole(ref Utf8JsonReader reader, JsonObject target, string name)
    {
        reader.Read();
        target[name] = Whole(ref reader);
    }

    /// <summary>The value the reader is on, exactly as a full parse reads it (null for JSON null); leaves the
    /// reader on the value's last token. The node is backed by a JsonElement and materializes only what the
    /// mutation touches, and DeepClone copies an untouched subtree as one element: building the nodes eagerly
    /// in this pass measured slower and allocated more (22 KB instead of 8 KB to read the review, 38 KB
    /// instead of 25 KB to mutate it). A string (a name, a namespace) becomes a plain string value: the same
    /// value and kind, without a JsonDocument of its own for a few bytes.</summary>
    private static JsonNode? Whole(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? JsonValue.Create(reader.GetString()) : JsonNode.Parse(ref reader);
}
