using System.Buffers;
using System.Text.Json;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Admission;

/// <summary>The fields of an AdmissionReview v1 request the webhook reads, over a <see cref="JsonDocument"/> of
/// the body. The pod stays raw JSON (patches must be computed against exactly what the API server sent; typed
/// models drop unknown fields and rewrite quantities). The document's buffers are pooled: dispose the request
/// once the answer is written, and do not keep <see cref="Pod"/> beyond that.</summary>
internal sealed class AdmissionRequest : IDisposable
{
    private const string DefaultApiVersion = "admission.k8s.io/v1";
    private const string Create = "CREATE";
    private const string Update = "UPDATE";
    private const string RayGroup = "ray.io";
    private const string Pods = "pods";

    private readonly JsonDocument _document;
    private byte[]? _body;

    private AdmissionRequest(JsonDocument document, byte[] body, JsonElement request, string apiVersion, string uid)
    {
        _document = document;
        _body = body;
        ApiVersion = apiVersion;
        Uid = uid;
        Operation = StringOf(request, "operation");
        SubResource = StringOf(request, "subResource");
        DryRun = request.TryGetProperty("dryRun", out var dryRun) && dryRun.ValueKind == JsonValueKind.True;
        if (request.TryGetProperty("resource", out var resource) && resource.ValueKind == JsonValueKind.Object)
        {
            Group = StringOf(resource, "group");
            Resource = StringOf(resource, "resource");
        }

        if (IsPodCreate && request.TryGetProperty("object", out var pod) && pod.ValueKind == JsonValueKind.Object)
        {
            Pod = pod;
        }

        // request.kind names what the object is, whatever resource path or version it was sent under.
        if (Operation is Create or Update && string.IsNullOrEmpty(SubResource)
            && request.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.Object
            && StringOf(kind, "group") == RayGroup && RayResourceKindOf(StringOf(kind, "kind")) is { } rayKind
            && request.TryGetProperty("object", out var rayObject))
        {
            RayResourceKind = rayKind;
            RayResource = rayObject;
            OldRayResource = Operation == Update && request.TryGetProperty("oldObject", out var old) ? old : default;
        }

        Namespace = StringOf(request, "namespace") ?? (Pod is { } p ? StringOf(Metadata(p), "namespace") : null);
    }

    public string ApiVersion { get; }

    public string Uid { get; }

    public string? Operation { get; }

    public string? Group { get; }

    public string? Resource { get; }

    public string? SubResource { get; }

    public string? Namespace { get; }

    public bool DryRun { get; }

    /// <summary>For a pod CREATE, <c>request.object</c>; otherwise null.</summary>
    public JsonElement? Pod { get; }

    /// <summary>RayCluster, RayJob or RayService on CREATE or UPDATE; otherwise null.</summary>
    public string? RayResourceKind { get; }

    /// <summary>For a Ray custom resource, <c>request.object</c> (any JSON kind: the mutator judges its shape).</summary>
    public JsonElement RayResource { get; }

    /// <summary>For a Ray custom resource UPDATE, <c>request.oldObject</c>; otherwise undefined.</summary>
    public JsonElement OldRayResource { get; }

    public bool IsPodCreate => Operation == Create && string.IsNullOrEmpty(Group) && Resource == Pods && string.IsNullOrEmpty(SubResource);

    /// <summary>Parses the body; a body that is not JSON, not an AdmissionReview or without a request uid cannot
    /// be answered and throws <see cref="BadAdmissionRequestException"/>.</summary>
    public static AdmissionRequest Parse(ReadOnlySpan<byte> body)
    {
        // JsonDocument reads from memory that outlives the call; the body span does not, so it is copied once
        // into a pooled buffer the request returns when disposed.
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 1));
        body.CopyTo(buffer);
        JsonDocument? document = null;
        try
        {
            // Repeated member names are looked for where they matter (RepeatedMembers), not by the parser in every
            // object of the body: its own check was about 40 % of an admission.
            document = JsonDocument.Parse(buffer.AsMemory(0, body.Length));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new BadAdmissionRequestException("the body must be an AdmissionReview object");
            }

            if (RepeatedMembers.InObject(root, string.Empty) is { } repeatedInRoot)
            {
                throw Repeated(repeatedInRoot);
            }

            if (!root.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object)
            {
                throw new BadAdmissionRequestException("the AdmissionReview has no request object");
            }

            if (RepeatedIn(request) is { } repeated)
            {
                throw Repeated(repeated);
            }

            if (StringOf(request, "uid") is not { Length: > 0 } uid)
            {
                throw new BadAdmissionRequestException("the AdmissionReview has no request.uid");
            }

            var parsed = new AdmissionRequest(document, buffer, request, StringOf(root, "apiVersion") ?? DefaultApiVersion, uid);
            if (parsed.RayResourceKind is not null
                && (RepeatedMembers.InTree(parsed.RayResource, "/request/object") ?? RepeatedMembers.InTree(parsed.OldRayResource, "/request/oldObject")) is { } inResource)
            {
                throw Repeated(inResource);
            }

            return parsed;
        }
        catch (Exception e)
        {
            document?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            if (e is JsonException json)
            {
                throw new BadAdmissionRequestException($"the body is not valid JSON: {json.Message}");
            }

            throw;
        }
    }

    /// <summary>The pod's generateName, or its name, for the request's logging scope; empty when neither.</summary>
    public string PodName()
    {
        var metadata = Pod is { } pod ? Metadata(pod) : default;
        return StringOf(metadata, "generateName") is { Length: > 0 } generateName ? generateName : StringOf(metadata, "name") ?? string.Empty;
    }

    /// <summary>One of the pod's labels, for the request's logging scope; empty when missing.</summary>
    public string PodLabel(string key)
    {
        var metadata = Pod is { } pod ? Metadata(pod) : default;
        return metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("labels", out var labels) ? StringOf(labels, key) ?? string.Empty : string.Empty;
    }

    /// <summary>The name of the object for the request's logging scope: the pod's (see <see cref="PodName"/>) or
    /// the custom resource's.</summary>
    public string ObjectName() =>
        RayResourceKind is null ? PodName() : StringOf(Metadata(RayResource), "name") ?? StringOf(Metadata(RayResource), "generateName") ?? string.Empty;

    public void Dispose()
    {
        if (_body is { } body)
        {
            _body = null;
            _document.Dispose();
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>The API server serialises what it sends and never repeats a member; a body that does is refused
    /// (400) rather than read one way here and another by the API server. Checked: the request envelope the
    /// webhook reads, and <c>request.object</c> where the core reads it: as a pod template (whatever the
    /// resource; the logging scope reads its metadata too), or whole for a Ray custom resource, with its
    /// <c>oldObject</c>, whose templates lie anywhere. Other objects (userInfo, a pod's managed fields or
    /// status) are never read, and a repeat there is the API server's to judge.</summary>
    private static string? RepeatedIn(JsonElement request) =>
        RepeatedMembers.InObject(request, "/request")
        ?? (request.TryGetProperty("kind", out var kind) ? RepeatedMembers.InObject(kind, "/request/kind") : null)
        ?? (request.TryGetProperty("resource", out var resource) ? RepeatedMembers.InObject(resource, "/request/resource") : null)
        ?? (request.TryGetProperty("object", out var o) ? RepeatedMembers.InTemplate(o, "/request/object") : null);

    private static BadAdmissionRequestException Repeated(string where) => new($"the body is not valid JSON for an AdmissionReview: {where}");

    private static string? StringOf(JsonElement o, string name) => JsonRead.String(o, name);

    private static JsonElement Metadata(JsonElement pod) =>
        pod.ValueKind == JsonValueKind.Object && pod.TryGetProperty("metadata", out var metadata) ? metadata : default;

    private static string? RayResourceKindOf(string? kind) =>
        kind is Mutation.RayResourceKind.RayCluster or Mutation.RayResourceKind.RayJob or Mutation.RayResourceKind.RayService ? kind : null;
}
