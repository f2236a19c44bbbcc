using System.Text.Json.Nodes;

namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>The pod KubeRay would create for one group of a RayCluster, RayJob or RayService.</summary>
/// <param name="ClusterName">The RayCluster's name (generated for RayJob/RayService, see <see cref="RayPodPreviewBuilder"/>).</param>
/// <param name="NodeType"><c>head</c> or <c>worker</c>.</param>
/// <param name="Group"><c>headgroup</c> or the worker group's name.</param>
/// <param name="Namespace">The namespace the pod is created in.</param>
/// <param name="Pod">The pod as the API server would receive it from KubeRay.</param>
internal sealed record RayPodPreview(string ClusterName, string NodeType, string Group, string Namespace, JsonObject Pod);
