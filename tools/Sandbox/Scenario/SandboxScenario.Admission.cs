using System.Text.Json.Nodes;
using Platform.Sandbox.Output;
using Platform.Sandbox.Webhook;
using Platform.Webhook.Manifests.KubeRay;

namespace Platform.Sandbox.Scenario;

/// <summary>Step 3: every pod KubeRay would create, sent through the webhook as the API server sends it.</summary>
internal sealed partial class SandboxScenario
{
    private readonly Dictionary<string, int> _replicaCounter = new(StringComparer.Ordinal);

    private async Task<IReadOnlyList<ScenarioPod>> AdmitPodsAsync(
        SandboxEnvironment environment, IReadOnlyList<(RayPodPreview Preview, int Replicas, int Asked)> manifest, CancellationToken cancellationToken)
    {
        _step = ManifestPods.Step;
        output.Line("pod level: each pod KubeRay builds from the stored resource, as the API server sends it", Tone.Bold);
        var pods = new List<ScenarioPod>();
        foreach (var (preview, replicas, asked) in manifest)
        {
            if (asked > replicas)
            {
                output.Progress($"{preview.Group}: {asked} replicas asked, the first {replicas} shown");
            }

            for (var i = 0; i < replicas; i++)
            {
                pods.Add(await AdmitOneAsync(environment, preview, cancellationToken).ConfigureAwait(false));
            }
        }

        output.Table(
            ["POD", "GROUP", "DECISION", "PROFILE", "GPUS", "OPERATIONS"],
            pods.Select(p => (IReadOnlyList<string>)
            [
                p.Name,
                p.Group,
                Decision(p),
                Profile(p),
                p.GpusBefore == p.GpusAfter ? p.GpusAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{p.GpusBefore} → {p.GpusAfter}",
                p.Admission.Operations.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ]),
            row => row[2] switch { "denied" => Tone.Bad, "changed" => Tone.Good, _ => Tone.Plain });

        // Replicas of a group get the same answer; say why once per group.
        foreach (var group in pods.GroupBy(p => (p.Cluster, p.Group)))
        {
            var first = group.First();
            output.Line($"{first.Group} ({first.NodeType}):", Tone.Bold);
            if (!first.Admission.Allowed)
            {
                output.Line($"  denied: {first.Admission.DenialMessage}", Tone.Bad);
            }

            foreach (var warning in first.Admission.Warnings)
            {
                output.Line($"  ! {warning}", Tone.Warn);
            }

            if (first.Admission.Allowed && first.Admission.Warnings.Count == 0)
            {
                output.Line(first.Admission.Operations.Count == 0 ? "  left alone: nothing left to do at pod level" : "  changed without warnings");
            }
        }

        _document["admission"] = new JsonArray([.. pods.Select(p => (JsonNode)new JsonObject
        {
            ["pod"] = p.Name,
            ["namespace"] = p.Namespace,
            ["cluster"] = p.Cluster,
            ["group"] = p.Group,
            ["nodeType"] = p.NodeType,
            ["decision"] = Decision(p),
            ["profile"] = Profile(p),
            ["gpusBefore"] = p.GpusBefore,
            ["gpusAfter"] = p.GpusAfter,
            ["operations"] = new JsonArray([.. p.Admission.Operations.Select(o => (JsonNode)o.DeepClone())]),
            ["warnings"] = new JsonArray([.. p.Admission.Warnings.Select(w => (JsonNode)w)]),
        })]);
        return pods;
    }

    /// <summary>One more pod of a group (a replica, a scale-up, a replacement): named, sent through the webhook.</summary>
    private async Task<ScenarioPod> AdmitOneAsync(SandboxEnvironment environment, RayPodPreview preview, CancellationToken cancellationToken)
    {
        var generateName = preview.Pod["metadata"]?["generateName"]?.ToString() ?? $"{preview.ClusterName}-{preview.Group}-";
        var replica = _replicaCounter[generateName] = _replicaCounter.GetValueOrDefault(generateName) + 1;
        using var client = new AdmissionClient(environment.AdmissionUrl!, environment.Certificate);

        // Sent without a name, as the API server sends pods created from generateName; named afterwards.
        var result = await client.AdmitAsync(preview.Pod, preview.Namespace, cancellationToken).ConfigureAwait(false);
        var name = ManifestPods.Name(generateName, replica);
        var metadata = result.Pod["metadata"] as JsonObject ?? [];
        result.Pod["metadata"] = metadata;
        metadata["name"] = name;
        metadata["namespace"] = preview.Namespace;
        return new ScenarioPod(preview.Namespace, name, preview.ClusterName, preview.Group, preview.NodeType, preview, result,
            ScenarioPod.Gpus(preview.Pod, Resource), ScenarioPod.Gpus(result.Pod, Resource));
    }

    private static string Decision(ScenarioPod pod) =>
        !pod.Admission.Allowed ? "denied" : pod.Admission.Operations.Count > 0 ? "changed" : "unchanged";

    private static string Profile(ScenarioPod pod) =>
        pod.Admission.AuditAnnotations.FirstOrDefault(a => a.Key.EndsWith("profile", StringComparison.Ordinal)).Value is { Length: > 0 } profile
            ? profile
            : pod.Pod["metadata"]?["annotations"]?["raygpu.io/policy"]?.ToString() ?? "-";
}
