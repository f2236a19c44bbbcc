using System.Text.Json;

namespace Platform.Webhook.Mutation;

internal enum RayPodKind
{
    NotRay,
    Head,
    Worker,
}

/// <summary>What the classifier found: the Ray role of a pod and the cluster and group it belongs to.</summary>
internal readonly record struct RayPod(RayPodKind Kind, string Cluster, string? Group)
{
    public static RayPod NotRay { get; } = new(RayPodKind.NotRay, string.Empty, null);
}

/// <summary>A pod is a Ray node when KubeRay labelled it <c>ray.io/node-type</c> head or worker AND
/// <c>ray.io/cluster</c>. Everything else (redis-cleanup Job pods, RayJob submitters, plain pods) is not,
/// whatever its container names say.</summary>
internal static class RayPodClassifier
{
    /// <summary>Reads the labels where the request holds them: a lazy node view would turn every label into a
    /// dictionary entry to read three.</summary>
    public static RayPod Classify(JsonElement pod)
    {
        if (pod.ValueKind != JsonValueKind.Object || !pod.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object
            || !metadata.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
        {
            return RayPod.NotRay;
        }

        var kind = !labels.TryGetProperty(RayLabels.NodeType, out var nodeType) || nodeType.ValueKind != JsonValueKind.String ? RayPodKind.NotRay
            : nodeType.ValueEquals(RayLabels.Head) ? RayPodKind.Head
            : nodeType.ValueEquals(RayLabels.Worker) ? RayPodKind.Worker
            : RayPodKind.NotRay;
        var cluster = JsonRead.String(labels, RayLabels.Cluster);
        if (kind == RayPodKind.NotRay || string.IsNullOrEmpty(cluster))
        {
            return RayPod.NotRay;
        }

        return new RayPod(kind, cluster, JsonRead.String(labels, RayLabels.Group));
    }
}
