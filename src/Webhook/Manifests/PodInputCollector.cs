using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Manifests.KubeRay;

namespace Platform.Webhook.Manifests;

/// <summary>
/// Turns manifest documents into the pods the webhook would see: a Pod as written, the <c>request.object</c> of an
/// AdmissionReview for a pod CREATE, or KubeRay's pod for every group of a RayCluster, RayJob or RayService.
/// <c>kind: List</c> is expanded; other kinds are reported as skipped.
/// </summary>
internal static class PodInputCollector
{
    public static PodInputs Collect(IEnumerable<ManifestDocument> documents, string defaultNamespace)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var result = new PodInputs();
        foreach (var document in documents)
        {
            if (document.Content is null)
            {
                continue;
            }

            Add(result, document, document.Content, defaultNamespace, depth: 0);
        }

        return result;
    }

    private static void Add(PodInputs result, ManifestDocument document, JsonNode content, string defaultNamespace, int depth)
    {
        if (content is not JsonObject obj)
        {
            throw new ManifestFormatException(document.Source, document.Line, 1, "a manifest document must be an object with apiVersion and kind");
        }

        var apiVersion = Text(obj["apiVersion"]);
        var kind = Text(obj["kind"]);
        var name = Text(obj["metadata"]?["name"]);
        switch (kind)
        {
            case "List" when obj["items"] is JsonArray items && depth == 0:
                foreach (var item in items)
                {
                    if (item is not null)
                    {
                        Add(result, document, item, defaultNamespace, depth + 1);
                    }
                }

                break;

            case "Pod" when apiVersion == "v1":
                result.Pods.Add(new PodInput($"Pod/{name ?? "(unnamed)"}", null, NamespaceOf(obj, defaultNamespace), obj, document.Source, document.Line));
                break;

            case "AdmissionReview" when apiVersion is "admission.k8s.io/v1" or "admission.k8s.io/v1beta1":
                AddAdmissionReview(result, document, obj, defaultNamespace);
                break;

            case not null when RayPodPreviewBuilder.IsRayResource(apiVersion, kind):
                IReadOnlyList<RayPodPreview> previews;
                try
                {
                    previews = RayPodPreviewBuilder.Build(obj, defaultNamespace);
                }
                catch (InvalidDataException e)
                {
                    throw new ManifestFormatException(document.Source, document.Line, 1, $"{kind}/{name}: {e.Message}");
                }

                if (previews.Count == 0)
                {
                    result.Skipped.Add(new SkippedDocument(document.Source, document.Line, $"{kind}/{name}", "uses an existing cluster (spec.clusterSelector): KubeRay creates no Ray pods for it"));
                }

                foreach (var preview in previews)
                {
                    result.Pods.Add(new PodInput($"{kind}/{name}", preview.Group, preview.Namespace, preview.Pod, document.Source, document.Line));
                }

                break;

            default:
                result.Skipped.Add(new SkippedDocument(document.Source, document.Line, $"{kind ?? "(no kind)"}/{name ?? "(unnamed)"}", "not a Pod, AdmissionReview, RayCluster, RayJob or RayService"));
                break;
        }
    }

    private static void AddAdmissionReview(PodInputs result, ManifestDocument document, JsonObject review, string defaultNamespace)
    {
        var request = review["request"] as JsonObject
            ?? throw new ManifestFormatException(document.Source, document.Line, 1, "AdmissionReview: request is missing");
        var uid = Text(request["uid"]) ?? "(no uid)";
        var operation = Text(request["operation"]);
        var resource = Text(request["resource"]?["resource"]) ?? (Text(request["kind"]?["kind"]) == "Pod" ? "pods" : null);
        var subResource = Text(request["subResource"]);
        if (operation != "CREATE" || resource != "pods" || !string.IsNullOrEmpty(subResource))
        {
            result.Skipped.Add(new SkippedDocument(document.Source, document.Line, $"AdmissionReview/{uid}",
                $"{operation ?? "(no operation)"} of {resource ?? "(no resource)"}{(string.IsNullOrEmpty(subResource) ? string.Empty : "/" + subResource)}: the webhook only mutates pod CREATE and allows this unchanged"));
            return;
        }

        var pod = request["object"] as JsonObject
            ?? throw new ManifestFormatException(document.Source, document.Line, 1, $"AdmissionReview/{uid}: request.object is missing; a pod CREATE carries the pod there");
        var ns = Text(request["namespace"]) is { Length: > 0 } n ? n : NamespaceOf(pod, defaultNamespace);
        result.Pods.Add(new PodInput($"AdmissionReview/{uid}", null, ns, pod, document.Source, document.Line));
    }

    private static string NamespaceOf(JsonObject obj, string defaultNamespace) =>
        Text(obj["metadata"]?["namespace"]) is { Length: > 0 } ns ? ns : defaultNamespace;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
