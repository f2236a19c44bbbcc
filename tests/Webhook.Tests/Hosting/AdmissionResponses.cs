using System.Text.Json.Nodes;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>Reads AdmissionReview responses, and applies their patch with an RFC 6902 implementation
/// that is not the code under test (Microsoft.AspNetCore.JsonPatch.SystemTextJson).</summary>
internal static class AdmissionResponses
{
    public static async Task<JsonObject> ReadReviewAsync(HttpResponseMessage response)
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(WebhookTestHost.Timeout);
        var review = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("admission.k8s.io/v1", (string?)review["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)review["kind"]);
        return review["response"]!.AsObject();
    }

    public static JsonObject ApplyPatch(JsonObject review, JsonObject response)
    {
        Assert.Equal("JSONPatch", (string?)response["patchType"]);
        var patch = Convert.FromBase64String((string)response["patch"]!);
        return IndependentJsonPatch.Apply(review["request"]!["object"]!.AsObject(), patch);
    }

    public static IEnumerable<string> Warnings(JsonObject response) =>
        response["warnings"] is JsonArray warnings ? warnings.Select(w => (string)w!) : [];
}
