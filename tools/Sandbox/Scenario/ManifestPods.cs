using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;
using Platform.Webhook.Manifests.KubeRay;

namespace Platform.Sandbox.Scenario;

/// <summary>
/// Step 3's input: the Ray resources of a manifest and, per group, the pod KubeRay would create (the webhook's own
/// preview builder, so there is one description of how KubeRay builds pods) times the group's replicas.
/// </summary>
internal static class ManifestPods
{
    public const string Step = "step 3 (admission)";

    /// <summary>Replicas shown per group; a manifest asking for more gets a note, not hundreds of pods.</summary>
    public const int MaxReplicasPerGroup = 8;

    /// <summary>The manifest's Ray resources, checked up front by building their pods once.</summary>
    /// <exception cref="SandboxFailure">The file is missing, is not YAML/JSON, holds no Ray resource or one KubeRay would refuse (exit 2).</exception>
    public static IReadOnlyList<JsonObject> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Bad($"manifest {path} cannot be read: {e.Message}");
        }

        IReadOnlyList<ManifestDocument> documents;
        try
        {
            documents = ManifestReader.Read(text, path);
        }
        catch (ManifestFormatException e)
        {
            throw Bad($"manifest {path} is not valid YAML/JSON at line {e.Line}, column {e.Column}: {e.Reason}");
        }

        var resources = documents.Select(d => d.Content).OfType<JsonObject>()
            .Where(o => RayPodPreviewBuilder.IsRayResource(o["apiVersion"]?.ToString(), o["kind"]?.ToString())).ToList();
        if (resources.Count == 0)
        {
            throw Bad($"manifest {path} holds no RayCluster, RayJob or RayService (apiVersion ray.io/v1)");
        }

        _ = Pods(resources, path);
        return resources;
    }

    /// <summary>Per group, the pod KubeRay would create from <paramref name="resources"/> and how many of it.</summary>
    /// <exception cref="SandboxFailure">A resource KubeRay would refuse (exit 2).</exception>
    public static IReadOnlyList<(RayPodPreview Preview, int Replicas, int Asked)> Pods(IReadOnlyList<JsonObject> resources, string path)
    {
        var pods = new List<(RayPodPreview, int, int)>();
        foreach (var resource in resources)
        {
            IReadOnlyList<RayPodPreview> previews;
            try
            {
                previews = RayPodPreviewBuilder.Build(resource, "default");
            }
            catch (InvalidDataException e)
            {
                throw Bad($"manifest {path}, {resource["kind"]} {resource["metadata"]?["name"]}: {e.Message}");
            }

            foreach (var preview in previews)
            {
                var asked = preview.NodeType == "head" ? 1 : Replicas(resource, preview.Group);
                pods.Add((preview, Math.Min(asked, MaxReplicasPerGroup), asked));
            }
        }

        return pods;
    }

    /// <summary>
    /// A name for a pod created from <c>generateName</c>, as the API server appends five characters; derived from the
    /// prefix and replica number so that runs print the same names.
    /// </summary>
    public static string Name(string generateName, int replica)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{generateName}{replica}"));
        return generateName + new string([.. hash.Take(5).Select(b => alphabet[b % alphabet.Length])]);
    }

    private static int Replicas(JsonObject resource, string group)
    {
        var spec = resource["spec"];
        var cluster = resource["kind"]?.ToString() switch
        {
            "RayJob" => spec?["rayClusterSpec"],
            "RayService" => spec?["rayClusterConfig"],
            _ => spec,
        };
        var worker = (cluster?["workerGroupSpecs"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(w => w["groupName"]?.ToString() == group);

        // A suspended group has no pods; an absent replicas shows minReplicas pods, else one, so the group still appears.
        if (worker?["suspend"]?.ToString() == "true")
        {
            return 0;
        }

        return int.TryParse(worker?["replicas"]?.ToString(), out var replicas) ? Math.Max(0, replicas)
            : int.TryParse(worker?["minReplicas"]?.ToString(), out var min) ? Math.Max(0, min) : 1;
    }

    private static SandboxFailure Bad(string message) => new(Step, message, SandboxFailure.ExitBadInput);
}
