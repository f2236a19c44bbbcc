using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Platform.Sandbox.Tls;

namespace Platform.Sandbox.Kubernetes;

/// <summary>
/// A loopback Kubernetes API server over HTTPS with a bearer token, holding the one Node of the sandbox and the pods
/// the sandbox created: exactly what the node agent calls (GET and merge-PATCH of the Node, POST of events.k8s.io
/// Events, GET of a pod for its Ray labels). The agent reaches it through a kubeconfig written next to it.
/// </summary>
internal sealed class FakeApiServer : IAsyncDisposable
{
    private const string NotFound = """{"kind":"Status","apiVersion":"v1","status":"Failure","code":404,"reason":"NotFound"}""";

    private readonly Lock _gate = new();
    private readonly JsonObject _node;
    private readonly List<JsonObject> _events = [];
    private readonly Dictionary<(string Namespace, string Name), JsonObject> _pods = [];
    private readonly LoopbackCertificate _certificate;
    private readonly string _token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private WebApplication? _app;
    private int _resourceVersion = 1;

    private FakeApiServer(string nodeName, LoopbackCertificate certificate)
    {
        NodeName = nodeName;
        _certificate = certificate;
        _node = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = nodeName,
                ["resourceVersion"] = "1",
                ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = nodeName, ["kubernetes.io/os"] = "linux" },
            },
            ["spec"] = new JsonObject(),
        };
    }

    public string NodeName { get; }

    public string Url { get; private set; } = string.Empty;

    public static async Task<FakeApiServer> StartAsync(string nodeName, LoopbackCertificate certificate, CancellationToken cancellationToken)
    {
        var server = new FakeApiServer(nodeName, certificate);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(certificate.Certificate)));
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        server._app = app;
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return server;
    }

    /// <summary>Writes a kubeconfig for this server (its certificate as the CA, the token) and returns its path.</summary>
    public string WriteKubeconfig(string directory)
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(_certificate.CertificatePem));
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: sandbox
              cluster:
                server: {Url}
                certificate-authority-data: {ca}
            users:
            - name: node-agent
              user:
                token: {_token}
            contexts:
            - name: sandbox
              context:
                cluster: sandbox
                user: node-agent
            current-context: sandbox
            """);
        return path;
    }

    /// <summary>A pod the sandbox created (after admission), so the agent can read its Ray labels.</summary>
    public void AddPod(JsonObject pod)
    {
        var metadata = pod["metadata"]!.AsObject();
        lock (_gate)
        {
            _pods[((string)metadata["namespace"]!, (string)metadata["name"]!)] = (JsonObject)pod.DeepClone();
        }
    }

    public void RemovePod(string @namespace, string name)
    {
        lock (_gate)
        {
            _pods.Remove((@namespace, name));
        }
    }

    public IReadOnlyDictionary<string, string> NodeLabels()
    {
        lock (_gate)
        {
            return (_node["metadata"]?["labels"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
        }
    }

    public IReadOnlyList<(string Key, string? Value, string Effect)> NodeTaints()
    {
        lock (_gate)
        {
            return [.. (_node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(t => (t["key"]?.ToString() ?? string.Empty, t["value"]?.ToString(), t["effect"]?.ToString() ?? string.Empty))];
        }
    }

    /// <summary>Node Events as (type, reason, note), oldest first.</summary>
    public IReadOnlyList<(string Type, string Reason, string Note)> Events()
    {
        lock (_gate)
        {
            return [.. _events.Select(e => (e["type"]?.ToString() ?? string.Empty, e["reason"]?.ToString() ?? string.Empty, e["note"]?.ToString() ?? string.Empty))];
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization != $"Bearer {_token}")
        {
            await ReplyAsync(context, 401, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":401,"reason":"Unauthorized"}""").ConfigureAwait(false);
            return;
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var segments = (context.Request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (status, reply) = (context.Request.Method, segments) switch
        {
            ("GET", ["api", "v1", "nodes", var name]) when name == NodeName => (200, Locked(() => _node.ToJsonString())),
            ("PATCH", ["api", "v1", "nodes", var name]) when name == NodeName => PatchNode(context.Request.ContentType, body),
            ("POST", ["apis", "events.k8s.io", "v1", "namespaces", _, "events"]) => AddEvent(body),
            ("GET", ["api", "v1", "namespaces", var ns, "pods", var pod]) => Locked(() => _pods.TryGetValue((ns, pod), out var p) ? (200, p.ToJsonString()) : (404, NotFound)),
            _ => (404, NotFound),
        };
        await ReplyAsync(context, status, reply).ConfigureAwait(false);
    }

    private (int, string) PatchNode(string? contentType, string body)
    {
        if (contentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) != true || JsonNode.Parse(body) is not JsonObject patch)
        {
            return (415, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":415,"reason":"UnsupportedMediaType"}""");
        }

        return Locked(() =>
        {
            MergePatch(_node, patch);
            _node["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            return (200, _node.ToJsonString());
        });
    }

    private (int, string) AddEvent(string body)
    {
        if (JsonNode.Parse(body) is not JsonObject item)
        {
            return (400, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":400,"reason":"BadRequest"}""");
        }

        Locked(() => _events.Add(item));
        return (201, body);
    }

    /// <summary>RFC 7386: objects merge, null deletes, anything else replaces.</summary>
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

    private T Locked<T>(Func<T> action)
    {
        lock (_gate)
        {
            return action();
        }
    }

    private void Locked(Action action)
    {
        lock (_gate)
        {
            action();
        }
    }

    private static async Task ReplyAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
