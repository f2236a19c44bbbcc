using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Cli;

/// <summary>The first of the two levels <c>mutate</c> shows for a RayCluster, RayJob or RayService: the webhook
/// mutates its group templates when the resource is applied (<see cref="RayResourceMutator"/>), and KubeRay then
/// builds the pods from the mutated templates. So each Ray resource is mutated here first and its documents are
/// replaced with the result; the pod previews that follow are of the pods KubeRay builds from it.</summary>
internal static class TemplateLevel
{
    internal sealed record Outcome(string Origin, RayResourceResult Result);

    public static List<ManifestDocument> Apply(IReadOnlyList<ManifestDocument> documents, string defaultNamespace, GpuPolicy policy, List<Outcome> outcomes)
    {
        var result = new List<ManifestDocument>(documents.Count);
        foreach (var document in documents)
        {
            result.Add(document.Content is JsonObject obj ? document with { Content = Mutate(obj, defaultNamespace, policy, outcomes) } : document);
        }

        return result;
    }

    public static void WriteReport(TextWriter writer, IReadOnlyList<Outcome> outcomes)
    {
        var sb = new StringBuilder();
        foreach (var (origin, result) in outcomes)
        {
            sb.Append("=== ").Append(origin).Append("  (template level, when the resource is applied)\n");
            sb.Append("decision: ").Append(result.AuditAnnotations["decision"]);
            if (result.AuditAnnotations.TryGetValue("groups", out var groups))
            {
                sb.Append("  groups: ").Append(groups);
            }

            sb.Append('\n');
            if (result.Message is not null)
            {
                sb.Append("message: ").Append(result.Message).Append('\n');
            }

            foreach (var warning in result.Warnings)
            {
                sb.Append("warning: ").Append(warning).Append('\n');
            }

            if (result.Patch.Count > 0)
            {
                sb.Append("patch:\n");
                foreach (var op in result.Patch)
                {
                    sb.Append("  ").Append(op.Op).Append(' ').Append(op.Path);
                    if (op.Value is not null)
                    {
                        sb.Append(' ').Append(op.Value.ToJsonString());
                    }

                    sb.Append('\n');
                }
            }

            sb.Append('\n');
        }

        writer.Write(sb.ToString());
    }

    private static JsonNode Mutate(JsonObject obj, string defaultNamespace, GpuPolicy policy, List<Outcome> outcomes)
    {
        var kind = obj["kind"] is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : null;
        if (kind == "List" && obj["items"] is JsonArray items)
        {
            var copy = obj.DeepClone().AsObject();
            var mutatedItems = copy["items"]!.AsArray();
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is JsonObject item && Single(item, defaultNamespace, policy, outcomes) is { } mutated)
                {
                    mutatedItems[i] = mutated;
                }
            }

            return copy;
        }

        return Single(obj, defaultNamespace, policy, outcomes) ?? obj;
    }

    private static JsonObject? Single(JsonObject obj, string defaultNamespace, GpuPolicy policy, List<Outcome> outcomes)
    {
        var apiVersion = obj["apiVersion"] is JsonValue a && a.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : null;
        var kind = obj["kind"] is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : null;
        if (apiVersion is null || !apiVersion.StartsWith("ray.io/", StringComparison.Ordinal) || RayResourceKind.ClusterSpecPointer(kind) is null)
        {
            return null;
        }

        var ns = obj["metadata"]?["namespace"] is JsonValue n && n.GetValueKind() == JsonValueKind.String && n.GetValue<string>() is { Length: > 0 } text ? text : defaultNamespace;
        var name = obj["metadata"]?["name"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : "(unnamed)";
        // A clone owns its memory: the mutated resource is a view over it and outlives this call.
        JsonElement element;
        using (var document = JsonDocument.Parse(obj.ToJsonString()))
        {
            element = document.RootElement.Clone();
        }

        var result = RayResourceMutator.Mutate(kind!, element, default, ns, policy, keepMutated: true, CancellationToken.None);
        outcomes.Add(new Outcome($"{kind}/{name}", result));
        return result.Decision == MutationDecision.Patched ? result.Mutated : null;
    }
}
