using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Admission;

/// <summary>The fields of an AdmissionReview v1 request the webhook reads. The pod itself stays raw JSON:
/// patches must be computed against exactly what the API server sent (typed models drop unknown fields
/// and rewrite quantities).</summary>
internal sealed record AdmissionRequest(
    string ApiVersion,
    string Uid,
    string? Operation,
    string? Group,
    string? Resource,
    string? SubResource,
    string? Namespace,
    bool DryRun,
    JsonObject? Object)
{
    private const string DefaultApiVersion = "admission.k8s.io/v1";

    public bool IsPodCreate => Operation == "CREATE" && string.IsNullOrEmpty(Group) && Resource == "pods" && string.IsNullOrEmpty(SubResource);

    public static AdmissionRequest Parse(ReadOnlySpan<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new BadAdmissionRequestException($"the body is not valid JSON: {e.Message}");
        }

        if (root is not JsonObject review)
        {
            throw new BadAdmissionRequestException("the body must be an AdmissionReview object");
        }

        var request = review["request"] as JsonObject
            ?? throw new BadAdmissionRequestException("the AdmissionReview has no request object");
        var uid = JsonRead.String(request, "uid");
        if (string.IsNullOrEmpty(uid))
        {
            throw new BadAdmissionRequestException("the AdmissionReview has no request.uid");
        }

        var resource = request["resource"] as JsonObject;
        var pod = request["object"] as JsonObject;
        return new AdmissionRequest(
            JsonRead.String(review, "apiVersion") ?? DefaultApiVersion,
            uid,
            JsonRead.String(request, "operation"),
            JsonRead.String(resource, "group"),
            JsonRead.String(resource, "resource"),
            JsonRead.String(request, "subResource"),
            JsonRead.String(request, "namespace") ?? JsonRead.String(JsonRead.Object(pod, "metadata"), "namespace"),
            request["dryRun"] is JsonValue dry && dry.TryGetValue<bool>(out var d) && d,
            pod);
    }
}
