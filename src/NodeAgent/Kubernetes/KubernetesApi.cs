using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// <see cref="IKubernetesApi"/> over HttpClient: four REST calls (and remediation's, in KubernetesApi.Remediation.cs), JSON through a source-generated
/// context. Hand-written rather than KubernetesClient because the agent's footprint target (≤ 40 MiB RSS
/// on every GPU node) could not be met with the client's thousands of model types linked in.
/// </summary>
internal sealed partial class KubernetesApi : IKubernetesApi, IDisposable
{
    /// <summary>Names the agent in Events' reportingController.</summary>
    public const string ReportingController = "platform.raygpu.io/node-agent";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly KubernetesEndpoint _endpoint;

    public KubernetesApi(KubernetesEndpoint endpoint)
    {
        _endpoint = endpoint;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (endpoint.ClientCertificate is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors);
        _http = new HttpClient(handler) { BaseAddress = endpoint.Server, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("raygpu-node-agent", "1.0"));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public async Task<NodeState> GetNodeAsync(string name, CancellationToken cancellationToken)
    {
        var node = await SendAsync(HttpMethod.Get, $"api/v1/nodes/{Uri.EscapeDataString(name)}", null, KubernetesJsonContext.Default.NodeDto, cancellationToken).ConfigureAwait(false)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"Node {name} does not exist.");
        var labels = node.Metadata?.Labels ?? [];
        var taints = node.Spec?.Taints?.Select(t => new NodeTaint(t.Key, string.IsNullOrEmpty(t.Value) ? null : t.Value, t.Effect)).ToList() ?? [];
        return new NodeState(labels, taints, node.Metadata?.ResourceVersion);
    }

    public async Task PatchNodeAsync(string name, string mergePatchJson, CancellationToken cancellationToken)
    {
        var content = new StringContent(mergePatchJson, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        _ = await SendAsync(HttpMethod.Patch, $"api/v1/nodes/{Uri.EscapeDataString(name)}", content, KubernetesJsonContext.Default.NodeDto, cancellationToken).ConfigureAwait(false)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"Node {name} does not exist.");
    }

    public async Task CreateNodeEventAsync(NodeEvent nodeEvent, CancellationToken cancellationToken)
    {
        var body = new EventDto
        {
            // Node events live in "default", the namespace kubectl describe node looks in.
            Metadata = new ObjectMetaDto { Name = string.Create(CultureInfo.InvariantCulture, $"{nodeEvent.NodeName}.{nodeEvent.At.UtcTicks:x}"), Namespace = "default" },
            EventTime = nodeEvent.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            Type = nodeEvent.Type,
            Reason = nodeEvent.Reason,
            Action = nodeEvent.Action,
            Note = nodeEvent.Note.Length > 1024 ? nodeEvent.Note[..1024] : nodeEvent.Note,
            ReportingController = ReportingController,
            ReportingInstance = ReportingInstance(nodeEvent.NodeName),
            Regarding = new ObjectReferenceDto { Kind = "Node", Name = nodeEvent.NodeName },
        };
        var content = new StringContent(JsonSerializer.Serialize(body, KubernetesJsonContext.Default.EventDto), Encoding.UTF8, "application/json");
        _ = await SendAsync(HttpMethod.Post, "apis/events.k8s.io/v1/namespaces/default/events", content, KubernetesJsonContext.Default.EventDto, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Events' reportingInstance: the agent and its node, so Events from many agents can be told apart.</summary>
    internal static string ReportingInstance(string nodeName) => $"{ReportingController}-{nodeName}";

    public async Task<IReadOnlyDictionary<string, string>?> GetPodLabelsAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var pod = await SendAsync(HttpMethod.Get, $"api/v1/namespaces/{Uri.EscapeDataString(@namespace)}/pods/{Uri.EscapeDataString(name)}", null, KubernetesJsonContext.Default.PodDto, cancellationToken).ConfigureAwait(false);
        return pod is null ? null : pod.Metadata?.Labels ?? new Dictionary<string, string>();
    }

    /// <summary>Sends one request; 404 gives null, any other failure a <see cref="KubernetesApiException"/> with the server's message.</summary>
    private async Task<T?> SendAsync<T>(HttpMethod method, string path, HttpContent? content, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (await BearerTokenAsync(cancellationToken).ConfigureAwait(false) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new KubernetesApiException(response.StatusCode, $"{method} /{path} returned {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] : text)}");
        }

        return JsonSerializer.Deserialize(text, type);
    }

    private async Task<string?> BearerTokenAsync(CancellationToken cancellationToken) =>
        _endpoint.TokenFile is { } file
            ? (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim()
            : _endpoint.Token;

    private bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (_endpoint.SkipTlsVerify)
        {
            return true;
        }

        if (_endpoint.CaCertificates is not { Count: > 0 } roots)
        {
            return errors == SslPolicyErrors.None;
        }

        // The cluster CA is trusted on its own, not added to the system store; the name must still match.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The API server refused a call; the message carries the method, path, status and the server's reason.</summary>
internal sealed class KubernetesApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
