using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Sandbox.Kubernetes;

/// <summary>
/// The pods of the fake API server: bound to the sandbox's Node with an IP as the kubelet and CNI would report them,
/// their <c>status</c> patched as <c>pods/status</c> does (conditions merged by type), and the Eviction API deleting them
/// (or refusing with 429 while a disruption budget is set to refuse).
/// </summary>
internal sealed partial class FakeApiServer
{
    /// <summary>Strategic merge keys of the pod status fields the agent writes.</summary>
    private static readonly Dictionary<string, string> PodStatusMergeKeys = new(StringComparer.Ordinal) { ["conditions"] = "type" };

    private readonly Dictionary<(string Namespace, string Name), JsonObject> _pods = [];
    private readonly Dictionary<string, Dictionary<string, string>> _namespaceLabels = new(StringComparer.Ordinal);
    private readonly List<PodConditionChange> _conditionChanges = [];
    private readonly List<PodEviction> _evictions = [];
    private int _nextPodAddress = 2;
    private int _refuseEvictions;

    /// <summary>A pod was deleted through the Eviction API; the kubelet and Ray learn of it from here, as they would from its containers ending.</summary>
    public event Action<JsonObject>? PodEvicted;

    /// <summary>
    /// A pod the sandbox placed on its Node (after admission and the kubelet), running, with the next address of the
    /// Node's pod range; returns that IP. Ray finds its node by this address.
    /// </summary>
    public string AddPod(JsonObject pod)
    {
        var copy = (JsonObject)pod.DeepClone();
        var metadata = copy["metadata"]!.AsObject();
        var spec = copy["spec"] as JsonObject ?? [];
        copy["spec"] = spec;
        spec["nodeName"] ??= NodeName;
        string ip;
        lock (_gate)
        {
            ip = string.Create(CultureInfo.InvariantCulture, $"10.244.1.{_nextPodAddress++}");
            metadata["uid"] ??= Guid.NewGuid().ToString();
            metadata["creationTimestamp"] ??= _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            copy["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["hostIP"] = "10.0.0.10",
                ["podIP"] = ip,
                ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip }),
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            };
            _pods[((string)metadata["namespace"]!, (string)metadata["name"]!)] = copy;
        }

        _changed.Signal();
        return ip;
    }

    public void RemovePod(string @namespace, string name)
    {
        lock (_gate)
        {
            _pods.Remove((@namespace, name));
        }

        _changed.Signal();
    }

    /// <summary>The pod as the API server holds it now (a copy), or null once it is gone.</summary>
    public JsonObject? Pod(string @namespace, string name)
    {
        lock (_gate)
        {
            return _pods.TryGetValue((@namespace, name), out var pod) ? (JsonObject)pod.DeepClone() : null;
        }
    }

    /// <summary>The labels a namespace shows from now on (the agent reads <c>raygpu.io/remediation</c> there).</summary>
    public void SetNamespaceLabels(string @namespace, IReadOnlyDictionary<string, string> labels)
    {
        lock (_gate)
        {
            _namespaceLabels[@namespace] = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        }
    }

    /// <summary>The next <paramref name="count"/> evictions are refused with 429, as while a PodDisruptionBudget allows no disruption.</summary>
    public void RefuseEvictions(int count)
    {
        lock (_gate)
        {
            _refuseEvictions = count;
        }
    }

    /// <summary>Every condition a <c>pods/status</c> patch set, oldest first.</summary>
    public IReadOnlyList<PodConditionChange> ConditionChanges()
    {
        lock (_gate)
        {
            return [.. _conditionChanges];
        }
    }

    /// <summary>Every POST to an eviction subresource, refused ones included, oldest first.</summary>
    public IReadOnlyList<PodEviction> Evictions()
    {
        lock (_gate)
        {
            return [.. _evictions];
        }
    }

    private (int, string) PatchPodStatus(string @namespace, string name, string? contentType, string body)
    {
        var strategic = contentType?.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal) == true;
        if (!IsMergePatch(contentType) || JsonNode.Parse(body) is not JsonObject patch)
        {
            return (415, UnsupportedMediaType);
        }

        // pods/status writes status alone: the API server ignores the rest of the patch.
        if (patch["status"] is not JsonObject statusPatch)
        {
            return (400, BadRequest);
        }

        var now = _time.GetUtcNow();
        var result = Locked(() =>
        {
            if (!_pods.TryGetValue((@namespace, name), out var pod))
            {
                return (404, NotFound);
            }

            var status = pod["status"] as JsonObject ?? [];
            pod["status"] = status;
            try
            {
                if (strategic)
                {
                    JsonMerge.StrategicMerge(status, statusPatch, PodStatusMergeKeys);
                }
                else
                {
                    JsonMerge.Merge(status, statusPatch);
                }
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                return (400, BadRequest);
            }

            foreach (var written in (statusPatch["conditions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var type = written["type"]?.ToString() ?? string.Empty;
                var condition = (status["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == type) ?? written;
                _conditionChanges.Add(new PodConditionChange(@namespace, name, type, Text(condition, "status"), Text(condition, "reason"), Text(condition, "message"), Text(condition, "lastTransitionTime"), now));
            }

            return (200, pod.ToJsonString());
        });
        _changed.Signal();
        return result;
    }

    /// <summary>policy/v1 Eviction: 201 and the pod deleted, 429 while evictions are refused, 404 for a pod that is gone, 409 for another pod's uid.</summary>
    private (int, string) Evict(string @namespace, string name, string body)
    {
        if (JsonNode.Parse(body) is not JsonObject eviction || eviction["kind"]?.ToString() != "Eviction"
            || (eviction["metadata"]?["name"]?.ToString() is { } named && named != name))
        {
            return (400, BadRequest);
        }

        JsonObject? evicted = null;
        var now = _time.GetUtcNow();
        var result = Locked(() =>
        {
            (int Code, string Body) answer;
            if (!_pods.TryGetValue((@namespace, name), out var pod))
            {
                answer = (404, NotFound);
            }
            else if (eviction["deleteOptions"]?["preconditions"]?["uid"]?.ToString() is { } uid && uid != pod["metadata"]?["uid"]?.ToString())
            {
                // The caller meant an earlier pod of that name: the API server refuses rather than evict its successor.
                answer = (409, $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Precondition failed: UID in precondition: {{uid}}, UID in object meta: {{pod["metadata"]?["uid"]}}","reason":"Conflict","code":409}""");
            }
            else if (_refuseEvictions > 0)
            {
                _refuseEvictions--;
                answer = (429, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget","message":"The disruption budget sandbox-pdb needs 1 healthy pods and has 1 currently"}]},"code":429}""");
            }
            else
            {
                _pods.Remove((@namespace, name));
                evicted = pod;
                answer = (201, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}""");
            }

            _evictions.Add(new PodEviction(@namespace, name, answer.Code, now));
            return answer;
        });

        if (evicted is not null)
        {
            PodEvicted?.Invoke(evicted);
        }

        _changed.Signal();
        return result;
    }

    private static string Text(JsonObject item, string key) => item[key]?.ToString() ?? string.Empty;
}
