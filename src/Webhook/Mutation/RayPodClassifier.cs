using System.Text.Json.Nodes;

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
    public static RayPod Classify(JsonObject pod)
    {
        if (pod["metadata"] is not JsonObject metadata || metadata["labels"] is not JsonObject labels)
        {
            return RayPod.NotRay;
        }

        var kind = JsonRead.String(labels, RayLabels.NodeType) switch
        {
            RayLabels.Head => RayPodKind.Head,
            RayLabels.Worker => RayPodKind.Worker,
            _ => RayPodKind.NotRay,
        };
        var cluster = JsonRead.String(labels, RayLabels.Cluster);
        if (kind == RayPodKind.NotRay || string.IsNullOrEmpty(cluster))
        {
            return RayPod.NotRay;
        }

        return new RayPod(kind, cluster, JsonRead.String(labels, RayLabels.Group));
    }
}
