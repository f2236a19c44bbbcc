using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Tests.TestSupport;

/// <summary>Ray custom resources as the API server sends them in request.object (defaulted by the CRD schema):
/// a RayCluster with a head (in-tree autoscaling on), a GPU group, a CPU group and a rule-matched group without
/// limits; the same cluster embedded in a RayJob and a RayService; a RayJob on an existing cluster.</summary>
internal static class ResourceFixtures
{
    public const string RayCluster = "raycluster";
    public const string RayJob = "rayjob";
    public const string RayService = "rayservice";
    public const string RayJobOnExistingCluster = "rayjob-cluster-selector";

    public static JsonObject Resource(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Directory, "resources", name + ".json")))!.AsObject();

    /// <summary>A copy whose element owns its memory.</summary>
    public static JsonElement Element(JsonNode? node) =>
        node is null ? default : JsonSerializer.SerializeToElement(node);

    /// <summary>Wraps a resource in an AdmissionReview v1 request as the API server sends it.</summary>
    public static JsonObject Review(JsonObject resource, string operation = "CREATE", JsonObject? old = null, string uid = "c0ffee00-6393-11e8-b7cc-42010a800002", bool dryRun = false)
    {
        var kind = (string)resource["kind"]!;
        var plural = kind.ToLowerInvariant() + "s";
        return new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["kind"] = new JsonObject { ["group"] = "ray.io", ["version"] = "v1", ["kind"] = kind },
                ["resource"] = new JsonObject { ["group"] = "ray.io", ["version"] = "v1", ["resource"] = plural },
                ["name"] = resource["metadata"]?["name"]?.DeepClone(),
                ["namespace"] = resource["metadata"]?["namespace"]?.DeepClone() ?? "default",
                ["operation"] = operation,
                ["userInfo"] = new JsonObject { ["username"] = "alice" },
                ["object"] = resource.DeepClone(),
                ["oldObject"] = old?.DeepClone(),
                ["dryRun"] = dryRun,
            },
        };
    }
}
