using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>
/// The fake API server's routes for GPU remediation: full pods (node, IP, labels, conditions), the
/// <c>pods/status</c> strategic merge of conditions by type, pod Events, the eviction subresource (201,
/// 429 while <see cref="PdbRefuses"/>, 404 when gone; an eviction deletes the pod), namespaces with
/// labels, and the Node LIST with a label selector (this Node and those of <see cref="AddOtherNode"/>).
/// </summary>
internal sealed partial class FakeKubernetesApi
{
    private readonly Dictionary<(string Namespace, string Name), JsonObject> _fullPods = [];
    private readonly Dictionary<string, Dictionary<string, string>> _namespaces = [];
    private readonly List<JsonObject> _otherNodes = [];
    private int _evictionCount;

    public Channel<ApiRequest> PodStatusPatches { get; } = Channel.CreateUnbounded<ApiRequest>();

    public Channel<ApiRequest> PodEvents { get; } = Channel.CreateUnbounded<ApiRequest>();

    public Channel<ApiRequest> Evictions { get; } = Channel.CreateUnbounded<ApiRequest>();

    public Channel<ApiRequest> NodeLists { get; } = Channel.CreateUnbounded<ApiRequest>();

    /// <summary>While true, evictions answer 429 as a PodDisruptionBudget that forbids them now.</summary>
    public volatile bool PdbRefuses;

    /// <summary>While set, Node patches that name this annotation answer 500 and change nothing.</summary>
    public volatile string? FailNodePatchesOf;

    /// <summary>While true, GETs of this Node answer 500.</summary>
    public volatile bool FailNodeReads;

    /// <summary>Evictions answered 201.</summary>
    public int EvictionCount => Volatile.Read(ref _evictionCount);

    public void AddPod(string @namespace, string name, string nodeName, string podIp, IReadOnlyDictionary<string, string> labels, string? uid = null)
    {
        var labelObject = new JsonObject();
        foreach (var (key, value) in labels)
        {
            labelObject[key] = value;
        }

        lock (_gate)
        {
            _fullPods[(@namespace, name)] = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace, ["uid"] = uid ?? Guid.NewGuid().ToString(), ["labels"] = labelObject },
                ["spec"] = new JsonObject { ["nodeName"] = nodeName },
                ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = podIp, ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) },
            };
        }
    }

    /// <summary>The pod as stored now, or null once deleted.</summary>
    public JsonObject? FullPod(string @namespace, string name)
    {
        lock (_gate)
        {
            return _fullPods.TryGetValue((@namespace, name), out var pod) ? (JsonObject)pod.DeepClone() : null;
        }
    }

    /// <summary>The pod's condition of the given type, or null.</summary>
    public JsonObject? Condition(string @namespace, string name, string type) =>
        FullPod(@namespace, name)?["status"]?["conditions"]?.AsArray().OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    public void SetPodCondition(string @namespace, string name, JsonObject condition)
    {
        lock (_gate)
        {
            MergeCondition(_fullPods[(@namespace, name)], condition);
        }
    }

    public void AddNamespace(string name, IReadOnlyDictionary<string, string> labels)
    {
        lock (_gate)
        {
            _namespaces[name] = new Dictionary<string, string>(labels);
        }
    }

    /// <summary>Another Node in the cluster, for the LIST the cluster breaker makes.</summary>
    public void AddOtherNode(string name, IReadOnlyDictionary<string, string> labels, string? remediating = null, bool degraded = false)
    {
        var labelObject = new JsonObject();
        foreach (var (key, value) in labels)
        {
            labelObject[key] = value;
        }

        var metadata = new JsonObject { ["name"] = name, ["labels"] = labelObject };
        if (remediating is not null)
        {
            metadata["annotations"] = new JsonObject { ["raygpu.io/remediating"] = remediating };
        }

        var spec = new JsonObject();
        if (degraded)
        {
            spec["taints"] = new JsonArray(new JsonObject { ["key"] = "raygpu.io/gpu-degraded", ["value"] = "true", ["effect"] = "NoSchedule" });
        }

        lock (_gate)
        {
            _otherNodes.Add(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = metadata, ["spec"] = spec });
        }
    }

    /// <summary>Sets or removes labels on this Node (the fake's own Node).</summary>
    public void SetNodeLabel(string key, string value)
    {
        lock (_gate)
        {
            _node["metadata"]!["labels"]![key] = value;
        }
    }

    /// <summary>Sets an annotation on this Node (the fake's own Node), as an administrator or an earlier agent would.</summary>
    public void SetNodeAnnotation(string key, string value)
    {
        lock (_gate)
        {
            var metadata = _node["metadata"]!.AsObject();
            var annotations = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
            annotations[key] = value;
        }
    }

    /// <summary>This Node's annotation, or null.</summary>
    public string? NodeAnnotation(string key) => (string?)Node["metadata"]!["annotations"]?[key];

    private async Task<bool> HandleRemediationAsync(HttpContext context, ApiRequest request, string[] segments)
    {
        switch (request.Method, segments)
        {
            case ("GET", ["api", "v1", "nodes", _]) when FailNodeReads:
                await Reply(context, 500, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcdserver: request timed out","reason":"InternalError","code":500}""");
                return true;
            case ("PATCH", ["api", "v1", "nodes", _]) when FailNodePatchesOf is { } failing && request.Body.Contains($"\"{failing}\"", StringComparison.Ordinal):
                await Reply(context, 500, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcdserver: request timed out","reason":"InternalError","code":500}""");
                return true;
            case ("GET", ["api", "v1", "namespaces", var ns, "pods", var name]):
                JsonObject? pod;
                lock (_gate)
                {
                    pod = _fullPods.GetValueOrDefault((ns, name))?.DeepClone().AsObject();
                }

                if (pod is null)
                {
                    // Not a full pod: the label-only store answers (or 404s).
                    return false;
                }

                PodReads.Writer.TryWrite(request);
                await Reply(context, 200, pod.ToJsonString());
                return true;
            case ("PATCH", ["api", "v1", "namespaces", var ns, "pods", var name, "status"]):
                if (request.ContentType?.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal) != true)
                {
                    await Reply(context, 415, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":415,"reason":"UnsupportedMediaType"}""");
                    return true;
                }

                string? patched = null;
                lock (_gate)
                {
                    if (_fullPods.TryGetValue((ns, name), out var target))
                    {
                        foreach (var condition in JsonNode.Parse(request.Body)?["status"]?["conditions"]?.AsArray().OfType<JsonObject>() ?? [])
                        {
                            MergeCondition(target, condition);
                        }

                        patched = target.ToJsonString();
                    }
                }

                PodStatusPatches.Writer.TryWrite(request);
                await (patched is null ? NotFound(context) : Reply(context, 200, patched));
                return true;
            case ("POST", ["api", "v1", "namespaces", var ns, "pods", var name, "eviction"]):
                await EvictAsync(context, request, ns, name);
                return true;
            case ("POST", ["apis", "events.k8s.io", "v1", "namespaces", _, "events"])
                when IsAboutPod(request.Body):
                PodEvents.Writer.TryWrite(request);
                await Reply(context, 201, request.Body);
                return true;
            case ("GET", ["api", "v1", "namespaces", var ns]):
                Dictionary<string, string>? labels;
                lock (_gate)
                {
                    labels = _namespaces.GetValueOrDefault(ns);
                }

                if (labels is null)
                {
                    // A namespace the test did not describe exists with no labels.
                    labels = [];
                }

                var labelObject = new JsonObject();
                foreach (var (key, value) in labels)
                {
                    labelObject[key] = value;
                }

                await Reply(context, 200, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns, ["labels"] = labelObject } }.ToJsonString());
                return true;
            case ("GET", ["api", "v1", "nodes"]):
                NodeLists.Writer.TryWrite(request with { Path = request.Path + context.Request.QueryString });
                var selector = context.Request.Query["labelSelector"].ToString();
                JsonArray items;
                lock (_gate)
                {
                    items = new JsonArray([.. new[] { _node }.Concat(_otherNodes).Where(n => Matches(n, selector)).Select(n => n.DeepClone())]);
                }

                await Reply(context, 200, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "NodeList", ["items"] = items }.ToJsonString());
                return true;
            default:
                return false;
        }
    }

    private async Task EvictAsync(HttpContext context, ApiRequest request, string ns, string name)
    {
        var body = JsonNode.Parse(request.Body);
        if ((string?)body?["apiVersion"] != "policy/v1" || (string?)body?["kind"] != "Eviction")
        {
            Evictions.Writer.TryWrite(request);
            await Reply(context, 400, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":400,"reason":"BadRequest"}""");
            return;
        }

        int status;
        lock (_gate)
        {
            if (!_fullPods.TryGetValue((ns, name), out var pod))
            {
                status = 404;
            }
            else if (PdbRefuses)
            {
                status = 429;
            }
            else if (body?["deleteOptions"]?["preconditions"]?["uid"] is { } uid && (string?)uid != (string?)pod["metadata"]!["uid"])
            {
                status = 409;
            }
            else
            {
                _fullPods.Remove((ns, name));
                Interlocked.Increment(ref _evictionCount);
                status = 201;
            }
        }

        // Recorded once decided, so a test that has read the request also sees the pod gone and the count moved.
        Evictions.Writer.TryWrite(request);
        await (status switch
        {
            201 => Reply(context, 201, """{"kind":"Status","apiVersion":"v1","status":"Success","code":201}"""),
            404 => NotFound(context),
            429 => Reply(context, 429, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests","code":429}"""),
            _ => Reply(context, status, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409}"""),
        });
    }

    /// <summary>Strategic merge of one condition: merged into the condition of the same type, or appended.</summary>
    private static void MergeCondition(JsonObject pod, JsonObject condition)
    {
        var status = pod["status"] as JsonObject ?? (JsonObject)(pod["status"] = new JsonObject());
        var conditions = status["conditions"] as JsonArray ?? (JsonArray)(status["conditions"] = new JsonArray());
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == (string?)condition["type"]);
        if (existing is null)
        {
            conditions.Add(condition.DeepClone());
            return;
        }

        foreach (var (key, value) in condition.ToList())
        {
            existing[key] = value?.DeepClone();
        }
    }

    /// <summary>Equality selectors (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>) and existence (<c>k</c>), comma-separated.</summary>
    private static bool Matches(JsonObject node, string selector)
    {
        var labels = node["metadata"]?["labels"] as JsonObject;
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            var value = (string?)labels?[parts[0]];
            var ok = parts.Length == 1 ? value is not null : negate ? value != parts[1] : value == parts[1];
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAboutPod(string body) => JsonNode.Parse(body)?["regarding"]?["kind"]?.GetValue<string>() == "Pod";

    private static Task NotFound(HttpContext context) =>
        Reply(context, 404, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":404,"reason":"NotFound"}""");
}
