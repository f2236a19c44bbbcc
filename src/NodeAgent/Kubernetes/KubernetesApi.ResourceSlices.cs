using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Platform.NodeAgent.Dra.Slices;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>The ResourceSlice calls, through their own source-generated JSON context.</summary>
internal sealed partial class KubernetesApi
{
    private const string ResourceSlicesPath = "apis/resource.k8s.io/v1/resourceslices";

    public async Task<ResourceSliceListDto> ListResourceSlicesAsync(string nodeName, string driver, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, $"{ResourceSlicesPath}?fieldSelector={SliceSelector(nodeName, driver)}", null, ResourceSliceJsonContext.Default.ResourceSliceListDto, cancellationToken).ConfigureAwait(false)
            ?? new ResourceSliceListDto();

    public async IAsyncEnumerable<ResourceSliceWatchEventDto> WatchResourceSlicesAsync(string nodeName, string driver, string? resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"{ResourceSlicesPath}?fieldSelector={SliceSelector(nodeName, driver)}&watch=true&allowWatchBookmarks=true&timeoutSeconds={(int)timeout.TotalSeconds}");
        if (!string.IsNullOrEmpty(resourceVersion))
        {
            path += $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (await BearerTokenAsync(cancellationToken).ConfigureAwait(false) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        // Headers only: the body is the open-ended stream of events, one JSON object per line.
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new KubernetesApiException(response.StatusCode, $"GET /{ResourceSlicesPath}?watch returned {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] : text)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0 && JsonSerializer.Deserialize(line, ResourceSliceJsonContext.Default.ResourceSliceWatchEventDto) is { } watchEvent)
            {
                yield return watchEvent;
            }
        }
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

    private static string SliceSelector(string nodeName, string driver) => Uri.EscapeDataString($"spec.nodeName={nodeName},spec.driver={driver}");

    private static StringContent SliceContent(ResourceSliceDto slice) =>
        new(JsonSerializer.Serialize(slice, ResourceSliceJsonContext.Default.ResourceSliceDto), Encoding.UTF8, "application/json");
}
