using System.Text;
using System.Text.Json.Nodes;
using Platform.Sandbox.Tls;
using Platform.Webhook.Mutation;

namespace Platform.Sandbox.Webhook;

/// <summary>
/// Sends pods and Ray resources to the webhook as the API server does: an AdmissionReview v1 over HTTPS to <c>/mutate</c>, the
/// server's certificate checked against the one the sandbox generated. The answer's patch is applied to the pod with
/// the webhook's own RFC 6902 applier (the sandbox shows what the API server would store, it does not re-test it).
/// </summary>
internal sealed class AdmissionClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _url;

    public AdmissionClient(Uri url, LoopbackCertificate trusted)
    {
        _url = url;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => trusted.Trusts(certificate);
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public Task<AdmissionResult> AdmitAsync(JsonObject pod, string @namespace, CancellationToken cancellationToken) =>
        AdmitAsync(pod, @namespace, (string.Empty, "Pod", "pods"), "system:serviceaccount:kuberay:kuberay-operator", cancellationToken);

    /// <summary>
    /// Sends any object the webhook serves: a pod as KubeRay creates it, or a Ray custom resource
    /// (<c>ray.io/v1</c>) as a user applies it.
    /// </summary>
    public async Task<AdmissionResult> AdmitAsync(
        JsonObject @object, string @namespace, (string Group, string Kind, string Resource) type, string username, CancellationToken cancellationToken)
    {
        var uid = Guid.NewGuid().ToString();
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["kind"] = new JsonObject { ["group"] = type.Group, ["version"] = "v1", ["kind"] = type.Kind },
                ["resource"] = new JsonObject { ["group"] = type.Group, ["version"] = "v1", ["resource"] = type.Resource },
                ["requestKind"] = new JsonObject { ["group"] = type.Group, ["version"] = "v1", ["kind"] = type.Kind },
                ["requestResource"] = new JsonObject { ["group"] = type.Group, ["version"] = "v1", ["resource"] = type.Resource },
                ["namespace"] = @namespace,
                ["operation"] = "CREATE",
                ["userInfo"] = new JsonObject { ["username"] = username },
                ["object"] = @object.DeepClone(),
                ["dryRun"] = false,
                ["options"] = new JsonObject { ["apiVersion"] = "meta.k8s.io/v1", ["kind"] = "CreateOptions" },
            },
        };
        using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(_url, content, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {_url} returned {(int)response.StatusCode}: {text}");
        }

        var answer = JsonNode.Parse(text)?["response"] as JsonObject
            ?? throw new HttpRequestException($"POST {_url} answered without a response object: {text}");
        if ((string?)answer["uid"] != uid)
        {
            throw new HttpRequestException($"the webhook answered uid {(string?)answer["uid"]} for request {uid}");
        }

        var operations = new List<JsonObject>();
        var mutated = (JsonObject)@object.DeepClone();
        if ((string?)answer["patch"] is { Length: > 0 } patch)
        {
            var array = JsonNode.Parse(Convert.FromBase64String(patch))!.AsArray();
            operations.AddRange(array.OfType<JsonObject>().Select(o => (JsonObject)o.DeepClone()));
            JsonPatchApplier.Apply(mutated, [.. operations.Select(o => new JsonPatchOperation((string)o["op"]!, (string)o["path"]!, o["value"]?.DeepClone()))]);
        }

        return new AdmissionResult(
            (bool?)answer["allowed"] == true,
            (string?)answer["status"]?["message"],
            operations,
            mutated,
            [.. (answer["warnings"] as JsonArray ?? []).Select(w => (string?)w ?? string.Empty)],
            (answer["auditAnnotations"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal));
    }

    public void Dispose() => _http.Dispose();
}
