using System.Text.Json.Nodes;
using Platform.Sandbox.Output;
using Platform.Sandbox.Webhook;
using Platform.Webhook.Mutation;

namespace Platform.Sandbox.Scenario;

/// <summary>
/// Step 3, template level: each Ray resource of the manifest sent through the webhook as a user's <c>kubectl apply</c>
/// reaches it, and the resource the API server would store (the answer's patch applied). The Ray autoscaler and Kueue
/// read these templates, never the pods, which is why the GPUs and scheduling fields belong here.
/// </summary>
internal sealed partial class SandboxScenario
{
    private async Task<IReadOnlyList<JsonObject>> AdmitResourcesAsync(
        SandboxEnvironment environment, IReadOnlyList<JsonObject> resources, CancellationToken cancellationToken)
    {
        _step = ManifestPods.Step;
        output.Step(3, $"Admission: {Path.GetFileName(arguments.Manifest)} through the webhook (AdmissionReview over HTTPS), the Ray resource, then its pods");
        output.Line("template level: the Ray resource as it is applied", Tone.Bold);
        using var client = new AdmissionClient(environment.AdmissionUrl!, environment.Certificate);
        var mutated = new List<JsonObject>();
        var summaries = new JsonArray();
        foreach (var resource in resources)
        {
            var kind = resource["kind"]!.ToString();
            var name = resource["metadata"]?["name"]?.ToString() ?? "(unnamed)";
            var ns = resource["metadata"]?["namespace"]?.ToString() is { Length: > 0 } given ? given : "default";
            var plural = kind.ToLowerInvariant() + "s";
            var result = await client.AdmitAsync(resource, ns, ("ray.io", kind, plural), "sandbox-user", cancellationToken).ConfigureAwait(false);
            if (!result.Allowed)
            {
                throw new SandboxFailure(ManifestPods.Step, $"the webhook denied {kind} {ns}/{name}: {result.DenialMessage}");
            }

            var groups = TemplateGroups(kind, resource, result.Operations);
            output.Line($"{kind} {ns}/{name}: {(result.Operations.Count == 0 ? "unchanged" : $"changed, {result.Operations.Count} operation(s)")}",
                result.Operations.Count == 0 ? Tone.Plain : Tone.Good);
            foreach (var (group, operations) in groups)
            {
                output.Line($"  {group}: " + string.Join(", ", operations.Select(o => $"{o["op"]} {o["field"]}").Distinct(StringComparer.Ordinal)));
            }

            foreach (var warning in result.Warnings)
            {
                output.Line($"  ! {warning}", Tone.Warn);
            }

            summaries.Add(new JsonObject
            {
                ["kind"] = kind,
                ["namespace"] = ns,
                ["name"] = name,
                ["decision"] = result.Operations.Count == 0 ? "unchanged" : "changed",
                ["groups"] = new JsonArray([.. groups.Select(g => (JsonNode)new JsonObject
                {
                    ["group"] = g.Group,
                    ["operations"] = new JsonArray([.. g.Operations.Select(o => (JsonNode)o)]),
                })]),
                ["warnings"] = new JsonArray([.. result.Warnings.Select(w => (JsonNode)w)]),
            });
            mutated.Add(result.Pod);
        }

        _document["templates"] = summaries;
        return mutated;
    }

    /// <summary>
    /// The patch grouped by the Ray group each operation touches (<c>head</c> or a worker's <c>groupName</c>), each
    /// operation with its path relative to the group ("field") so a reader sees "add template/spec/tolerations".
    /// </summary>
    private static List<(string Group, List<JsonObject> Operations)> TemplateGroups(string kind, JsonObject resource, IReadOnlyList<JsonObject> operations)
    {
        var prefix = RayResourceKind.ClusterSpecPointer(kind) ?? "/spec";
        JsonNode? cluster = resource;
        foreach (var segment in JsonPointer.Parse(prefix))
        {
            cluster = cluster?[segment];
        }

        var workers = cluster?["workerGroupSpecs"] as JsonArray ?? [];
        var groups = new List<(string Group, List<JsonObject> Operations)>();
        foreach (var operation in operations)
        {
            var path = operation["path"]?.ToString() ?? string.Empty;
            var rest = path.StartsWith(prefix + "/", StringComparison.Ordinal) ? path[(prefix.Length + 1)..] : path;
            var segments = rest.Split('/', 3);
            var (group, field) = segments switch
            {
                ["headGroupSpec", ..] => ("head", string.Join('/', segments.Skip(1))),
                ["workerGroupSpecs", var index, ..] when int.TryParse(index, out var i) && i < workers.Count
                    => (workers[i]?["groupName"]?.ToString() ?? index, segments.Length > 2 ? segments[2] : string.Empty),
                _ => ("cluster", rest),
            };
            var entry = (JsonObject)operation.DeepClone();
            entry["field"] = JsonPointer.Unescape(field);
            var existing = groups.FindIndex(g => g.Group == group);
            if (existing < 0)
            {
                groups.Add((group, [entry]));
            }
            else
            {
                groups[existing].Operations.Add(entry);
            }
        }

        return groups;
    }
}
