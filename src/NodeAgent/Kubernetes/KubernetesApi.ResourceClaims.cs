namespace Platform.NodeAgent.Kubernetes;

internal sealed partial class KubernetesApi
{
    public async Task<ResourceClaimInfo?> GetResourceClaimAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var path = $"apis/resource.k8s.io/v1/namespaces/{Uri.EscapeDataString(@namespace)}/resourceclaims/{Uri.EscapeDataString(name)}";
        var claim = await SendAsync(HttpMethod.Get, path, null, ResourceClaimJsonContext.Default.ResourceClaimDto, cancellationToken).ConfigureAwait(false);
        if (claim is null)
        {
            return null;
        }

        var results = claim.Status?.Allocation?.Devices?.Results?
            .Select(r => new ClaimDeviceResult(r.Request ?? string.Empty, r.Driver ?? string.Empty, r.Pool ?? string.Empty, r.Device ?? string.Empty))
            .ToList();
        return new ResourceClaimInfo(
            claim.Metadata?.Namespace ?? @namespace,
            claim.Metadata?.Name ?? name,
            claim.Metadata?.Uid ?? string.Empty,
            claim.Status?.Allocation is null ? null : results ?? []);
    }
}
