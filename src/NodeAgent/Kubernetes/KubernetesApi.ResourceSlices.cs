using System.Net;
using System.Text;
using System.Text.Json;
using Platform.NodeAgent.Dra.Slices;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>The ResourceSlice calls, through their own source-generated JSON context.</summary>
internal sealed partial class KubernetesApi
{
    private const string ResourceSlicesPath = "apis/resource.k8s.io/v1/resourceslices";

    public async Task<IReadOnlyList<ResourceSliceDto>> ListResourceSlicesAsync(string nodeName, string driver, CancellationToken cancellationToken)
    {
        var selector = Uri.EscapeDataString($"spec.nodeName={nodeName},spec.driver={driver}");
        var list = await SendAsync(HttpMethod.Get, $"{ResourceSlicesPath}?fieldSelector={selector}", null, ResourceSliceJsonContext.Default.ResourceSliceListDto, cancellationToken).ConfigureAwait(false);
        return list?.Items ?? [];
    }

    public async Task<ResourceSliceDto> CreateResourceSliceAsync(ResourceSliceDto slice, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Post, ResourceSlicesPath, SliceContent(slice), ResourceSliceJsonContext.Default.ResourceSliceDto, cancellationToken).ConfigureAwait(false)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"POST /{ResourceSlicesPath} returned 404: is resource.k8s.io/v1 served (Kubernetes 1.34 or later)?");

    public Task<ResourceSliceDto?> UpdateResourceSliceAsync(ResourceSliceDto slice, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, $"{ResourceSlicesPath}/{Uri.EscapeDataString(slice.Metadata.Name ?? string.Empty)}", SliceContent(slice), ResourceSliceJsonContext.Default.ResourceSliceDto, cancellationToken);

    public async Task DeleteResourceSliceAsync(string name, CancellationToken cancellationToken) =>
        _ = await SendAsync(HttpMethod.Delete, $"{ResourceSlicesPath}/{Uri.EscapeDataString(name)}", null, ResourceSliceJsonContext.Default.ResourceSliceDto, cancellationToken).ConfigureAwait(false);

    public async Task<string?> GetNodeUidAsync(string name, CancellationToken cancellationToken)
    {
        var node = await SendAsync(HttpMethod.Get, $"api/v1/nodes/{Uri.EscapeDataString(name)}", null, ResourceSliceJsonContext.Default.NodeIdentityDto, cancellationToken).ConfigureAwait(false);
        return node?.Metadata?.Uid;
    }

    private static StringContent SliceContent(ResourceSliceDto slice) =>
        new(JsonSerializer.Serialize(slice, ResourceSliceJsonContext.Default.ResourceSliceDto), Encoding.UTF8, "application/json");
}
