using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Cli;

/// <summary><c>--output yaml|json|patch</c>: stable, parseable forms of the outcomes.</summary>
internal static class MachineOutputWriter
{
    public static void Write(TextWriter stdout, OutputFormat format, IReadOnlyList<PodOutcome> outcomes)
    {
        switch (format)
        {
            case OutputFormat.Yaml:
                var sb = new StringBuilder();
                var first = true;
                foreach (var pod in outcomes.Select(o => o.ResultingPod).OfType<JsonObject>())
                {
                    if (!first)
                    {
                        sb.Append("---\n");
                    }

                    first = false;
                    YamlWriter.Write(pod, sb);
                }

                stdout.Write(sb.ToString());
                break;

            case OutputFormat.Json:
                var array = new JsonArray();
                foreach (var outcome in outcomes)
                {
                    array.Add((JsonNode)ToJson(outcome));
                }

                stdout.Write(Indented(array));
                stdout.Write('\n');
                break;

            case OutputFormat.Patch:
                foreach (var outcome in outcomes)
                {
                    stdout.Write(Encoding.UTF8.GetString(JsonPatchSerializer.ToUtf8Json(outcome.SentPatch)));
                    stdout.Write('\n');
                }

                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "not a machine format");
        }
    }

    internal static JsonObject ToJson(PodOutcome outcome)
    {
        var result = outcome.Result;
        var warnings = new JsonArray();
        foreach (var warning in result.Warnings)
        {
            warnings.Add((JsonNode?)JsonValue.Create(warning));
        }

        var audit = new JsonObject();
        foreach (var (key, value) in result.AuditAnnotations.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            audit[key] = value;
        }

        return new JsonObject
        {
            ["origin"] = outcome.Input.Origin,
            ["group"] = outcome.Input.Group,
            ["namespace"] = outcome.Input.Namespace,
            ["pod"] = outcome.Input.PodName,
            ["source"] = $"{outcome.Input.Source}:{outcome.Input.Line}",
            ["kind"] = outcome.KindText,
            ["decision"] = result.Decision.ToString().ToLowerInvariant(),
            ["allowed"] = outcome.Allowed,
            ["profile"] = result.Profile,
            ["message"] = result.Message,
            ["warnings"] = warnings,
            ["auditAnnotations"] = audit,
            ["patch"] = JsonNode.Parse(JsonPatchSerializer.ToUtf8Json(outcome.SentPatch)),
            ["resultingPod"] = outcome.ResultingPod?.DeepClone(),
        };
    }

    private static string Indented(JsonNode node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = ReadableJson.Options.Encoder }))
        {
            node.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
