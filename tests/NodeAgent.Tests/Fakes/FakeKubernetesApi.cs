using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>A request the fake API server received: method, path, content type and body.</summary>
internal sealed record ApiRequest(string Method, string Path, string? ContentType, string Body);

/// <summary>
/// A loopback Kubernetes API server over real HTTPS (self-signed CA, bearer token) that keeps one Node and
/// some Pods in memory, applies JSON merge patches to the Node, stores Events, and records every
/// request. The agent reaches it through a kubeconfig file it writes in a temp directory.
/// </summary>
internal sealed partial class FakeKubernetesApi : IAsyncDisposable
{
    public const string Token = "test-token";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly Lock _gate = new();
    private readonly JsonObject _node;
    private int _resourceVersion = 1;

    private FakeKubernetesApi(WebApplication app, X509Certificate2 certificate, string nodeName)
    {
        _app = app;
        _certificate = certificate;
        _node = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = nodeName, ["uid"] = $"uid-{nodeName}", ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = nodeName }, ["resourceVersion"] = "1" },
            ["spec"] = new JsonObject(),
        };
    }

    public Channel<ApiRequest> NodePatches { get; } = Channel.CreateUnbounded<ApiRequest>();

    public Channel<ApiRequest> Events { get; } = Channel.CreateUnbounded<ApiRequest>();

    public Channel<ApiRequest> PodReads { get; } = Channel.CreateUnbounded<ApiRequest>();

    /// <summary>Every request, in the order the server received them (for tests of what comes before what).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<ApiRequest> Requests { get; } = new();

    /// <summary>Pods the server knows: (namespace, name) → labels.</summary>
    public Dictionary<(string Namespace, string Name), Dictionary<string, string>> Pods { get; } = [];

    public string Url { get; private set; } = string.Empty;

    public JsonObject Node
    {
        get
        {
            lock (_gate)
            {
                return (JsonObject)_node.DeepClone();
            }
        }
    }

    public static async Task<FakeKubernetesApi> StartAsync(string nodeName)
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(certificate)));
        var app = builder.Build();
        var api = new FakeKubernetesApi(app, certificate, nodeName);
        app.Use(api.HandleAsync);
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        api.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return api;
    }

    /// <summary>Writes a kubeconfig for this server (CA data, token) and returns its path.</summary>
    public string WriteKubeconfig(string directory, string? caPem = null)
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem ?? _certificate.ExportCertificatePem()));
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {Url}
                certificate-authority-data: {ca}
            users:
            - name: agent
              user:
                token: {Token}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: agent
            current-context: fake
            """);
        return path;
    }

    private async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var request = new ApiRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.ContentType, body);
        Requests.Enqueue(request);
        if (context.Request.Headers.Authorization != $"Bearer {Token}")
        {
            await Reply(context, 401, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":401,"reason":"Unauthorized"}""");
            return;
        }

        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (await TryHandleResourceClaimAsync(context, request, segments))
        {
            return;
        }

        if (await HandleRemediationAsync(context, request, segments))
        {
            return;
        }

        switch (request.Method, segments)
        {
            case ("GET", ["api", "v1", "nodes", _]):
                await Reply(context, 200, Node.ToJsonString());
                return;
            case ("PATCH", ["api", "v1", "nodes", _]):
                string patched;
                lock (_gate)
                {
                    MergePatch(_node, JsonNode.Parse(body)!.AsObject());
                    _node["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    patched = _node.ToJsonString();
                }

                NodePatches.Writer.TryWrite(request);
                await Reply(context, 200, patched);
                return;
            case ("POST", ["apis", "events.k8s.io", "v1", "namespaces", _, "events"]):
                Events.Writer.TryWrite(request);
                await Reply(context, 201, body);
                return;
            case ("GET", ["api", "v1", "namespaces", var ns, "pods", var name]):
                PodReads.Writer.TryWrite(request);
                Dictionary<string, string>? labels;
                lock (_gate)
                {
                    labels = Pods.GetValueOrDefault((ns, name));
                }

                if (labels is null)
                {
                    await Reply(context, 404, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":404,"reason":"NotFound"}""");
                    return;
                }

                var labelObject = new JsonObject();
                foreach (var (key, value) in labels)
                {
                    labelObject[key] = value;
                }

                await Reply(context, 200, new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labelObject },
                }.ToJsonString());
                return;
            case (_, ["apis", "resource.k8s.io", "v1", "resourceslices", ..]):
                await HandleResourceSliceAsync(context, request, segments);
                return;
            default:
                await Reply(context, 404, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":404,"reason":"NotFound"}""");
                return;
        }
    }

    /// <summary>RFC 7386: objects merge recursively, null deletes, anything else replaces.</summary>
    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                MergePatch(targetObject, patchObject);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static Task Reply(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fake-kube-apiserver", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Default);
        await _app.DisposeAsync();
        _certificate.Dispose();
    }
}
