using System.Text.Json.Nodes;

namespace Platform.Webhook.Benchmarks;

internal static class Fixture
{
    /// <summary>The recorded GPU worker AdmissionReview, compact as the apiserver sends it.</summary>
    public static byte[] CompactReview()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "gpu-worker-admission-review.json");
        return System.Text.Encoding.UTF8.GetBytes(JsonNode.Parse(File.ReadAllText(path))!.ToJsonString());
    }

    /// <summary>A RayCluster CREATE review with four groups (head with in-tree autoscaling, a GPU group, a CPU group
    /// and a GPU group without limits that a rule fills in), named so the benchmark policy's rule matches it.</summary>
    public static byte[] RayClusterReview()
    {
        var cluster = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "raycluster.json")))!.AsObject();
        cluster["metadata"]!["name"] = "raycluster-bench";
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = "9a1c0f7e-6393-11e8-b7cc-42010a800002",
                ["kind"] = new JsonObject { ["group"] = "ray.io", ["version"] = "v1", ["kind"] = "RayCluster" },
                ["resource"] = new JsonObject { ["group"] = "ray.io", ["version"] = "v1", ["resource"] = "rayclusters" },
                ["name"] = "raycluster-bench",
                ["namespace"] = "ml-team",
                ["operation"] = "CREATE",
                ["userInfo"] = new JsonObject { ["username"] = "alice" },
                ["object"] = cluster,
                ["oldObject"] = null,
                ["dryRun"] = false,
            },
        };
        return System.Text.Encoding.UTF8.GetBytes(review.ToJsonString());
    }
}
