using Platform.NodeAgent.Dra.Slices;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>ResourceSlices (<c>resource.k8s.io/v1</c>) of one node and driver, as the DRA driver publishes them.</summary>
internal partial interface IKubernetesApi
{
    /// <summary>
    /// The slices with <c>spec.nodeName</c> = <paramref name="nodeName"/> and <c>spec.driver</c> = <paramref name="driver"/>,
    /// and the list's resourceVersion to watch from.
    /// </summary>
    Task<ResourceSliceListDto> ListResourceSlicesAsync(string nodeName, string driver, CancellationToken cancellationToken);

    /// <summary>
    /// Watches the same slices from <paramref name="resourceVersion"/>, one event per change, until the server ends
    /// the watch (after at most <paramref name="timeout"/>) or the token is cancelled.
    /// </summary>
    IAsyncEnumerable<ResourceSliceWatchEventDto> WatchResourceSlicesAsync(string nodeName, string driver, string? resourceVersion, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Creates a slice (named by <c>metadata.generateName</c> when no name is given) and returns it as stored.</summary>
    Task<ResourceSliceDto> CreateResourceSliceAsync(ResourceSliceDto slice, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a slice, guarded by its <c>metadata.resourceVersion</c>; a changed slice fails with 409 Conflict
    /// (<see cref="KubernetesApiException"/>), a deleted one returns null.
    /// </summary>
    Task<ResourceSliceDto?> UpdateResourceSliceAsync(ResourceSliceDto slice, CancellationToken cancellationToken);

    /// <summary>Deletes a slice; one that is already gone is not an error.</summary>
    Task DeleteResourceSliceAsync(string name, CancellationToken cancellationToken);

    /// <summary>The Node's uid, or null when the Node does not exist.</summary>
    Task<string?> GetNodeUidAsync(string name, CancellationToken cancellationToken);
}
