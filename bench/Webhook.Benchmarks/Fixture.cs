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
}
