using System.Text.Json.Nodes;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>AdmissionReview requests for the host tests, built from a recorded KubeRay worker pod.</summary>
internal static class AdmissionReviews
{
    private static readonly string FixturePath = Path.Combine(AppContext.BaseDirectory, "Hosting", "Pods", "gpu-worker-admission-review.json");

    /// <summary>A KubeRay v1.7.0 GPU worker (1 GPU, cluster raycluster-gpu, group gpu-group), as the apiserver sends it.</summary>
    public static JsonObject GpuWorker(string uid = "705ab4f5-6393-11e8-b7cc-42010a800002")
    {
        var review = JsonNode.Parse(File.ReadAllText(FixturePath))!.AsObject();
        review["request"]!["uid"] = uid;
        return review;
    }

    public static JsonObject GpuWorkerWithProfile(string profile, string uid)
    {
        var review = GpuWorker(uid);
        review["request"]!["object"]!["metadata"]!["annotations"]!["raygpu.io/profile"] = profile;
        return review;
    }

    /// <summary>A plain Deployment-made pod with no Ray labels.</summary>
    public static JsonObject PlainPod(string uid)
    {
        var review = GpuWorker(uid);
        var metadata = review["request"]!["object"]!["metadata"]!.AsObject();
        metadata["labels"] = new JsonObject { ["app"] = "web", ["pod-template-hash"] = "7d9f8b6c5d" };
        metadata["generateName"] = "web-7d9f8b6c5d-";
        metadata.Remove("ownerReferences");
        return review;
    }
}
