using System.Text.Json.Nodes;

namespace Platform.Webhook.Manifests;

/// <summary>A pod to run through the webhook, with where it came from.</summary>
/// <param name="Origin">What the pod came from: <c>Pod/name</c>, <c>AdmissionReview/uid</c>, <c>RayCluster/name</c>.</param>
/// <param name="Group">The Ray group (<c>headgroup</c> or a worker group) for Ray resources, else null.</param>
/// <param name="Namespace">The namespace the pod is created in.</param>
/// <param name="Pod">The pod JSON as the API server would send it to the webhook.</param>
/// <param name="Source">The file (or <c>&lt;stdin&gt;</c>).</param>
/// <param name="Line">The line where the document starts.</param>
internal sealed record PodInput(string Origin, string? Group, string Namespace, JsonObject Pod, string Source, long Line)
{
    /// <summary>True for pods built here from a Ray resource (the reader has never seen them), false for pods given as such.</summary>
    public bool IsPreview => Group is not null;

    /// <summary>The pod's name, or its generateName followed by <c>*</c>, for reports.</summary>
    public string PodName =>
        Pod["metadata"]?["name"] is JsonValue name && name.TryGetValue<string>(out var n) && n.Length > 0 ? n
        : Pod["metadata"]?["generateName"] is JsonValue generate && generate.TryGetValue<string>(out var g) ? g + "*"
        : "(unnamed)";
}
