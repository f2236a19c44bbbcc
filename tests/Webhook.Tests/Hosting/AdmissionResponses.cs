using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

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
        var patchJson = Encoding.UTF8.GetString(Convert.FromBase64String((string)response["patch"]!));
        var patch = JsonSerializer.Deserialize<JsonPatchDocument>(patchJson)
            ?? throw new InvalidOperationException("empty patch");
        var pod = review["request"]!["object"]!.DeepClone().AsObject();
        var errors = new List<string>();
        patch.ApplyTo(pod, error => errors.Add($"{error.Operation.op} {error.Operation.path}: {error.ErrorMessage}"));
        Assert.Empty(errors);
        return pod;
    }

    public static IEnumerable<string> Warnings(JsonObject response) =>
        response["warnings"] is JsonArray warnings ? warnings.Select(w => (string)w!) : [];
}
