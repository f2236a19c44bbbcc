namespace Platform.NodeAgent.Kubernetes;

internal partial interface IKubernetesApi
{
    /// <summary>A <c>resource.k8s.io/v1</c> ResourceClaim as the DRA kubelet plugin needs it, or null when it does not exist.</summary>
    Task<ResourceClaimInfo?> GetResourceClaimAsync(string @namespace, string name, CancellationToken cancellationToken);
}
