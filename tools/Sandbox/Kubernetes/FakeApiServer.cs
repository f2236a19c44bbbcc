using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Platform.Sandbox.Hosting;
using Platform.Sandbox.Tls;

namespace Platform.Sandbox.Kubernetes;

/// <summary>
/// A loopback Kubernetes API server over HTTPS with a bearer token, holding the one Node of the sandbox and the pods
/// the sandbox created: exactly what the node agent calls (GET, LIST and PATCH of the Node, POST of Events, GET of a
/// pod and of its namespace, PATCH of <c>pods/status</c>, POST of <c>pods/eviction</c>; see FakeApiServer.Pods.cs).
/// The agent reaches it through a kubeconfig written next to it.
/// </summary>
internal sealed partial class FakeApiServer : IAsyncDisposable
{
    private const string NotFound = """{"kind":"Status","apiVersion":"v1","status":"Failure","code":404,"reason":"NotFound"}""";
    private const string BadRequest = """{"kind":"Status","apiVersion":"v1","status":"Failure","code":400,"reason":"BadRequest"}""";
    private const string UnsupportedMediaType = """{"kind":"Status","apiVersion":"v1","status":"Failure","code":415,"reason":"UnsupportedMediaType"}""";

    private readonly Lock _gate = new();
    private readonly JsonObject _node;
    private readonly List<ApiEvent> _events = [];
    private readonly LoopbackCertificate _certificate;
    private readonly TimeProvider _time;
    private readonly ChangeSignal _changed = new();
    private readonly string _token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private WebApplication? _app;
    private int _resourceVersion = 1;

    private FakeApiServer(string nodeName, LoopbackCertificate certificate, TimeProvider time)
    {
        NodeName = nodeName;
        _certificate = certificate;
        _time = time;
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

    /// <summary>The bearer token every request must carry (the kubeconfig's).</summary>
    internal string Token => _token;

    public string Url { get; private set; } = string.Empty;

    public static async Task<FakeApiServer> StartAsync(string nodeName, LoopbackCertificate certificate, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var server = new FakeApiServer(nodeName, certificate, time ?? TimeProvider.System);
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

    public IReadOnlyDictionary<string, string> NodeAnnotations()
    {
        lock (_gate)
        {
            return (_node["metadata"]?["annotations"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
        }
    }

    /// <summary>Every Event received, about the Node or a pod, oldest first.</summary>
    public IReadOnlyList<ApiEvent> Events()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }

    /// <summary>Completes once <paramref name="condition"/> holds, re-checked after every request that changed something.</summary>
    /// <exception cref="TimeoutException">It did not; the message starts with <paramref name="what"/>.</exception>
    public Task WaitUntilAsync(Func<FakeApiServer, bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken) =>
        _changed.WaitUntilAsync(() => condition(this), timeout, what, cancellationToken);

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
        var (status, reply) = Route(context.Request.Method, segments, context.Request.Query, context.Request.ContentType, body);
        await ReplyAsync(context, status, reply).ConfigureAwait(false);
    }

    private (int, string) Route(string method, string[] segments, IQueryCollection query, string? contentType, string body)
    {
        try
        {
            return (method, segments) switch
            {
                ("GET", ["api", "v1", "nodes"]) => ListNodes(query["labelSelector"]),
                ("GET", ["api", "v1", "nodes", var name]) when name == NodeName => (200, Locked(() => _node.ToJsonString())),
                ("PATCH", ["api", "v1", "nodes", var name]) when name == NodeName => PatchNode(contentType, body),
                ("POST", ["apis", "events.k8s.io", "v1", "namespaces", var ns, "events"]) => AddEvent(ns, body, "regarding", "note"),
                ("POST", ["api", "v1", "namespaces", var ns, "events"]) => AddEvent(ns, body, "involvedObject", "message"),
                ("GET", ["api", "v1", "namespaces", var ns]) => (200, Namespace(ns)),
                ("GET", ["api", "v1", "namespaces", var ns, "pods", var pod]) => Locked(() => _pods.TryGetValue((ns, pod), out var p) ? (200, p.ToJsonString()) : (404, NotFound)),
                ("PATCH", ["api", "v1", "namespaces", var ns, "pods", var pod, "status"]) => PatchPodStatus(ns, pod, contentType, body),
                ("POST", ["api", "v1", "namespaces", var ns, "pods", var pod, "eviction"]) => Evict(ns, pod, body),
                _ => (404, NotFound),
            };
        }
        catch (System.Text.Json.JsonException)
        {
            return (400, BadRequest);
        }
    }

    private (int, string) ListNodes(string? selector)
    {
        try
        {
            return Locked(() =>
            {
                var labels = (_node["metadata"]?["labels"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
                var items = LabelSelector.Matches(selector, labels) ? new JsonArray(_node.DeepClone()) : [];
                return (200, new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "NodeList",
                    ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                    ["items"] = items,
                }.ToJsonString());
            });
        }
        catch (FormatException)
        {
            return (400, BadRequest);
        }
    }

    private (int, string) PatchNode(string? contentType, string body)
    {
        // Merge and strategic merge read the same for what a Node patch holds (labels, annotations, taints replace whole).
        if (!IsMergePatch(contentType) || JsonNode.Parse(body) is not JsonObject patch)
        {
            return (415, UnsupportedMediaType);
        }

        var result = Locked(() =>
        {
            JsonMerge.Merge(_node, patch);
            _node["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            return (200, _node.ToJsonString());
        });
        _changed.Signal();
        return result;
    }

    /// <summary>Records an Event; <paramref name="subject"/> and <paramref name="text"/> are where core v1 and events.k8s.io/v1 differ.</summary>
    private (int, string) AddEvent(string @namespace, string body, string subject, string text)
    {
        if (JsonNode.Parse(body) is not JsonObject item)
        {
            return (400, BadRequest);
        }

        var about = item[subject];
        var received = new ApiEvent(
            about?["kind"]?.ToString() ?? string.Empty,
            about?["namespace"]?.ToString() ?? @namespace,
            about?["name"]?.ToString() ?? string.Empty,
            item["type"]?.ToString() ?? string.Empty,
            item["reason"]?.ToString() ?? string.Empty,
            item[text]?.ToString() ?? string.Empty,
            _time.GetUtcNow());
        Locked(() => _events.Add(received));
        _changed.Signal();
        return (201, body);
    }

    private string Namespace(string name) => Locked(() => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject([.. _namespaceLabels.GetValueOrDefault(name, new Dictionary<string, string>()).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]),
        },
        ["status"] = new JsonObject { ["phase"] = "Active" },
    }.ToJsonString());

    private static bool IsMergePatch(string? contentType) =>
        contentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) == true
        || contentType?.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal) == true;

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
