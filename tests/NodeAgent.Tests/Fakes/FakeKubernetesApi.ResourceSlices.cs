using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>
/// ResourceSlices (<c>resource.k8s.io/v1</c>) as the API server keeps them: list with the <c>spec.nodeName</c>
/// and <c>spec.driver</c> field selectors, create (with <c>generateName</c>), update guarded by
/// <c>resourceVersion</c> (409 on a stale one), delete; immutable fields and the per-slice device limits
/// are enforced (422), and a taint gets its <c>timeAdded</c> as the server sets it. Watches (<c>watch=true</c>)
/// replay the changes after their <c>resourceVersion</c>, or the current slices as ADDED without one, then
/// stream every change until <c>timeoutSeconds</c>.
/// </summary>
internal sealed partial class FakeKubernetesApi
{
    private readonly Dictionary<string, JsonObject> _slices = new(StringComparer.Ordinal);
    private int _sliceNames;
    private int _conflictsToInject;
    private readonly List<(int Version, string Type, JsonObject Slice)> _sliceHistory = [];
    private readonly List<Channel<(string Type, JsonObject Slice)>> _sliceWatchers = [];

    /// <summary>Completes a value each time a slice watch is opened (tests wait for the agent's watch).</summary>
    public Channel<string> SliceWatches { get; } = Channel.CreateUnbounded<string>();

    /// <summary>Slices whose deletion an admission policy refuses (403), as the chart's does for another pool.</summary>
    public HashSet<string> UndeletableSlices { get; } = new(StringComparer.Ordinal);

    /// <summary>Every create, update and delete of a slice, in order.</summary>
    public Channel<ApiRequest> SliceWrites { get; } = Channel.CreateUnbounded<ApiRequest>();

    /// <summary>The stored slices by name (copies).</summary>
    public IReadOnlyDictionary<string, JsonObject> ResourceSlices
    {
        get
        {
            lock (_gate)
            {
                return _slices.ToDictionary(p => p.Key, p => (JsonObject)p.Value.DeepClone(), StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Stores a slice as if another writer (an older agent, a person) had created it.</summary>
    public void PutResourceSlice(JsonObject slice)
    {
        lock (_gate)
        {
            var stored = (JsonObject)slice.DeepClone();
            stored["metadata"]!["resourceVersion"] = NextVersion();
            var name = (string)stored["metadata"]!["name"]!;
            Record(_slices.ContainsKey(name) ? "MODIFIED" : "ADDED", stored);
            _slices[name] = stored;
        }
    }

    /// <summary>Deletes every slice of the node, as the kubelet does when it starts.</summary>
    public void WipeResourceSlices(string nodeName)
    {
        lock (_gate)
        {
            foreach (var name in _slices.Where(p => (string?)p.Value["spec"]!["nodeName"] == nodeName).Select(p => p.Key).ToList())
            {
                _ = DeleteSlice(name);
            }
        }
    }

    /// <summary>The next <paramref name="count"/> slice updates fail with 409, as when another writer got there first.</summary>
    public void FailSliceUpdatesWithConflict(int count)
    {
        lock (_gate)
        {
            _conflictsToInject = count;
        }
    }

    private async Task HandleResourceSliceAsync(HttpContext context, ApiRequest request, string[] segments)
    {
        var name = segments.Length > 4 ? segments[4] : null;
        if (request.Method == "GET" && name is null && context.Request.Query["watch"] == "true")
        {
            await WatchSlicesAsync(context);
            return;
        }

        int status;
        string reply;
        lock (_gate)
        {
            (status, reply) = (request.Method, name) switch
            {
                ("GET", null) => (200, ListSlices(context.Request.Query["fieldSelector"].ToString())),
                ("POST", null) => CreateSlice(JsonNode.Parse(request.Body)!.AsObject()),
                ("PUT", { } n) => UpdateSlice(n, JsonNode.Parse(request.Body)!.AsObject()),
                ("DELETE", { } n) => DeleteSlice(n),
                ("GET", { } n) when _slices.TryGetValue(n, out var slice) => (200, slice.ToJsonString()),
                _ => (404, StatusJson(404, "NotFound", $"no route or slice for {request.Method} {request.Path}")),
            };
        }

        if (request.Method != "GET" && status < 300)
        {
            SliceWrites.Writer.TryWrite(request);
        }

        await Reply(context, status, reply);
    }

    private static Dictionary<string, string> Selector(string fieldSelector) =>
        fieldSelector.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(term => term.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    private static bool Matches(JsonObject slice, Dictionary<string, string> selector) =>
        (!selector.TryGetValue("spec.nodeName", out var node) || (string?)slice["spec"]!["nodeName"] == node)
        && (!selector.TryGetValue("spec.driver", out var driver) || (string?)slice["spec"]!["driver"] == driver);

    private string ListSlices(string fieldSelector)
    {
        var selector = Selector(fieldSelector);
        var items = new JsonArray();
        foreach (var slice in _slices.Values.OrderBy(s => (string?)s["metadata"]!["name"], StringComparer.Ordinal))
        {
            if (Matches(slice, selector))
            {
                items.Add(slice.DeepClone());
            }
        }

        return new JsonObject
        {
            ["apiVersion"] = "resource.k8s.io/v1",
            ["kind"] = "ResourceSliceList",
            ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        }.ToJsonString();
    }

    private (int, string) CreateSlice(JsonObject slice)
    {
        var metadata = slice["metadata"]!.AsObject();
        var name = (string?)metadata["name"];
        if (string.IsNullOrEmpty(name))
        {
            var prefix = (string?)metadata["generateName"];
            if (string.IsNullOrEmpty(prefix))
            {
                return (422, StatusJson(422, "Invalid", "metadata.name or metadata.generateName is required"));
            }

            name = prefix + (++_sliceNames).ToString("x5", CultureInfo.InvariantCulture);
        }

        if (_slices.ContainsKey(name))
        {
            return (409, StatusJson(409, "AlreadyExists", $"resourceslices \"{name}\" already exists"));
        }

        if (Validate(slice) is { } invalid)
        {
            return (422, StatusJson(422, "Invalid", invalid));
        }

        metadata["name"] = name;
        metadata["uid"] = $"uid-{name}";
        metadata["resourceVersion"] = NextVersion();
        StampTaints(slice);
        _slices[name] = slice;
        Record("ADDED", slice);
        return (201, slice.ToJsonString());
    }

    private (int, string) UpdateSlice(string name, JsonObject slice)
    {
        if (!_slices.TryGetValue(name, out var stored))
        {
            return (404, StatusJson(404, "NotFound", $"resourceslices \"{name}\" not found"));
        }

        if (_conflictsToInject > 0)
        {
            _conflictsToInject--;
            stored["metadata"]!["resourceVersion"] = NextVersion();
            Record("MODIFIED", stored);
        }

        if ((string?)slice["metadata"]?["resourceVersion"] != (string?)stored["metadata"]!["resourceVersion"])
        {
            return (409, StatusJson(409, "Conflict", $"Operation cannot be fulfilled on resourceslices \"{name}\": the object has been modified; please apply your changes to the latest version and try again"));
        }

        foreach (var field in new[] { "driver", "nodeName" })
        {
            if ((string?)slice["spec"]![field] != (string?)stored["spec"]![field])
            {
                return (422, StatusJson(422, "Invalid", $"spec.{field}: field is immutable"));
            }
        }

        if ((string?)slice["spec"]!["pool"]!["name"] != (string?)stored["spec"]!["pool"]!["name"])
        {
            return (422, StatusJson(422, "Invalid", "spec.pool.name: field is immutable"));
        }

        if (Validate(slice) is { } invalid)
        {
            return (422, StatusJson(422, "Invalid", invalid));
        }

        slice["metadata"]!["uid"] = stored["metadata"]!["uid"]?.DeepClone();
        slice["metadata"]!["resourceVersion"] = NextVersion();
        StampTaints(slice);
        _slices[name] = slice;
        Record("MODIFIED", slice);
        return (200, slice.ToJsonString());
    }

    private (int, string) DeleteSlice(string name)
    {
        if (UndeletableSlices.Contains(name))
        {
            return (403, StatusJson(403, "Forbidden", $"resourceslices \"{name}\" is forbidden: ValidatingAdmissionPolicy denied request: the node agent's ResourceSlices form one pool named after its node"));
        }

        if (!_slices.Remove(name, out var removed))
        {
            return (404, StatusJson(404, "NotFound", $"resourceslices \"{name}\" not found"));
        }

        removed["metadata"]!["resourceVersion"] = NextVersion();
        Record("DELETED", removed);
        return (200, removed.ToJsonString());
    }

    /// <summary>Keeps the change for watches that start from an older version and hands it to open ones (under the gate).</summary>
    private void Record(string type, JsonObject slice)
    {
        var copy = (JsonObject)slice.DeepClone();
        _sliceHistory.Add((_resourceVersion, type, copy));
        foreach (var watcher in _sliceWatchers)
        {
            watcher.Writer.TryWrite((type, copy));
        }
    }

    private async Task WatchSlicesAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var selector = Selector(query["fieldSelector"].ToString());
        var from = int.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : (int?)null;
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
        var events = Channel.CreateUnbounded<(string Type, JsonObject Slice)>();
        lock (_gate)
        {
            var replay = from is { } after
                ? _sliceHistory.Where(h => h.Version > after).Select(h => (h.Type, h.Slice))
                : _slices.Values.Select(s => ("ADDED", (JsonObject)s.DeepClone()));
            foreach (var change in replay.ToList())
            {
                events.Writer.TryWrite(change);
            }

            _sliceWatchers.Add(events);
        }

        SliceWatches.Writer.TryWrite(context.Request.QueryString.Value ?? string.Empty);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        end.CancelAfter(timeout);
        try
        {
            await foreach (var (type, slice) in events.Reader.ReadAllAsync(end.Token))
            {
                if (Matches(slice, selector))
                {
                    await context.Response.WriteAsync(new JsonObject { ["type"] = type, ["object"] = slice.DeepClone() }.ToJsonString() + "\n", end.Token);
                    await context.Response.Body.FlushAsync(end.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch's time is up or the client went away: the stream ends, as the API server's does.
        }
        finally
        {
            lock (_gate)
            {
                _sliceWatchers.Remove(events);
            }
        }
    }

    /// <summary>The API's checks this driver could break: required fields, device limits, value lengths.</summary>
    private static string? Validate(JsonObject slice)
    {
        var spec = slice["spec"]?.AsObject();
        if (spec is null || string.IsNullOrEmpty((string?)spec["driver"]) || string.IsNullOrEmpty((string?)spec["pool"]?["name"]))
        {
            return "spec.driver and spec.pool.name are required";
        }

        if ((long?)spec["pool"]!["resourceSliceCount"] is not > 0)
        {
            return "spec.pool.resourceSliceCount: must be greater than zero";
        }

        var devices = spec["devices"]?.AsArray() ?? [];
        var tainted = devices.Any(d => d!["taints"] is JsonArray { Count: > 0 });
        if (devices.Count > (tainted ? 64 : 128))
        {
            return $"spec.devices: must have at most {(tainted ? 64 : 128)} items";
        }

        foreach (var device in devices)
        {
            var attributes = device!["attributes"]?.AsObject() ?? [];
            var capacity = device["capacity"]?.AsObject() ?? [];
            if (attributes.Count + capacity.Count > 32)
            {
                return $"device {device["name"]}: at most 32 attributes and capacities";
            }

            foreach (var (key, value) in attributes)
            {
                if (value!.AsObject().Count != 1)
                {
                    return $"device {device["name"]} attribute {key}: exactly one value must be set";
                }

                if (((string?)value["string"] ?? (string?)value["version"])?.Length > 64)
                {
                    return $"device {device["name"]} attribute {key}: must not be longer than 64 characters";
                }
            }
        }

        return null;
    }

    private static void StampTaints(JsonObject slice)
    {
        foreach (var taint in slice["spec"]!["devices"]?.AsArray().SelectMany(d => d!["taints"]?.AsArray() ?? []) ?? [])
        {
            taint!["timeAdded"] ??= "2026-01-01T00:00:00Z";
        }
    }

    private string NextVersion() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    private static string StatusJson(int code, string reason, string message) => new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = "Failure",
        ["code"] = code,
        ["reason"] = reason,
        ["message"] = message,
    }.ToJsonString();
}
