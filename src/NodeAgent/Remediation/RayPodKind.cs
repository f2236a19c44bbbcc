namespace Platform.NodeAgent.Remediation;

/// <summary>What a pod is to Ray, from KubeRay's labels (<c>ray.io/node-type</c> with <c>ray.io/cluster</c>).</summary>
internal enum RayPodKind
{
    /// <summary>Not a Ray node: no cluster label, or a node type such as <c>redis-cleanup</c>.</summary>
    Other,
    Head,
    Worker,
}
