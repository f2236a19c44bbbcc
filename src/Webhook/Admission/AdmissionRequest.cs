using System.Text.Json;

namespace Platform.Webhook.Admission;

/// <summary>The fields of an AdmissionReview v1 request the webhook reads. The pod stays raw JSON (patches
/// must be computed against exactly what the API server sent; typed models drop unknown fields and rewrite
/// quantities), but only the parts the mutation reads or patches: see <see cref="SparsePodReader"/>.</summary>
/// <param name="Pod">For a pod CREATE, where the kept parts of <c>request.object</c> lie in the body; otherwise
/// null.</param>
internal sealed record AdmissionRequest(
    string ApiVersion,
    string Uid,
    string? Operation,
    string? Group,
    string? Resource,
    string? SubResource,
    string? Namespace,
    bool DryRun,
    SparsePod? Pod)
{
    private const string DefaultApiVersion = "admission.k8s.io/v1";
    private const string Create = "CREATE";
    private const string Pods = "pods";

    public bool IsPodCreate => IsPodCreateOf(Operation, Group, Resource, SubResource);

    /// <summary>One forward-only pass over the body: the envelope fields are read, <c>request.object</c> is
    /// read sparsely (only for a pod CREATE), everything else is skipped. <see cref="JsonScanner"/> validates
    /// every byte, skipped or not, so a body that is not JSON is refused, and the shape errors are only
    /// raised once the whole body is known to be JSON.</summary>
    public static AdmissionRequest Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return Read(body);
        }
        catch (JsonException e)
        {
            throw new BadAdmissionRequestException($"the body is not valid JSON: {e.Message}");
        }
    }

    private static bool IsPodCreateOf(string? operation, string? group, string? resource, string? subResource) =>
        operation == Create && string.IsNullOrEmpty(group) && resource == Pods && string.IsNullOrEmpty(subResource);

    private static AdmissionRequest Read(ReadOnlySpan<byte> body)
    {
        var scanner = new JsonScanner(body);
        if (scanner.PeekKind() != JsonValueKind.Object)
        {
            scanner.SkipValue();
            scanner.EnsureEnd();
            throw new BadAdmissionRequestException("the body must be an AdmissionReview object");
        }

        string? apiVersion = null;
        Fields? request = null;
        scanner.EnterObject();
        var first = true;
        while (scanner.NextProperty(ref first, out var name))
        {
            if (name.Is("apiVersion"u8))
            {
                apiVersion = scanner.StringOrNull();
            }
            else if (name.Is("request"u8))
            {
                request = scanner.PeekKind() == JsonValueKind.Object ? ReadRequest(ref scanner) : SkipValue(ref scanner);
            }
            else
            {
                scanner.SkipValue();
            }
        }

        scanner.EnsureEnd();
        if (request is null)
        {
            throw new BadAdmissionRequestException("the AdmissionReview has no request object");
        }

        if (string.IsNullOrEmpty(request.Uid))
        {
            throw new BadAdmissionRequestException("the AdmissionReview has no request.uid");
        }

        var podCreate = IsPodCreateOf(request.Operation, request.Group, request.Resource, request.SubResource);
        return new AdmissionRequest(
            apiVersion ?? DefaultApiVersion,
            request.Uid,
            request.Operation,
            request.Group,
            request.Resource,
            request.SubResource,
            request.Namespace ?? (podCreate ? request.Pod?.MetadataKept[SparsePodReader.NamespaceIndex].StringIn(body) : null),
            request.DryRun,
            podCreate ? request.Pod : null);
    }

    private static Fields ReadRequest(ref JsonScanner scanner)
    {
        var fields = new Fields();
        scanner.EnterObject();
        var first = true;
        while (scanner.NextProperty(ref first, out var name))
        {
            if (name.Is("uid"u8))
            {
                fields.Uid = scanner.StringOrNull();
            }
            else if (name.Is("operation"u8))
            {
                fields.Operation = scanner.StringOrNull();
            }
            else if (name.Is("namespace"u8))
            {
                fields.Namespace = scanner.StringOrNull();
            }
            else if (name.Is("subResource"u8))
            {
                fields.SubResource = scanner.StringOrNull();
            }
            else if (name.Is("dryRun"u8))
            {
                fields.DryRun = scanner.PeekKind() == JsonValueKind.True;
                scanner.SkipValue();
            }
            else if (name.Is("resource"u8))
            {
                ReadResource(ref scanner, fields);
            }
            else if (name.Is("object"u8))
            {
                // The API server sends operation and resource before object, so a request that is not a pod
                // CREATE is skipped here; in any other order the pod is read and dropped at the end.
                if (scanner.PeekKind() == JsonValueKind.Object && !fields.CannotBePodCreate)
                {
                    fields.Pod = SparsePodReader.Read(ref scanner);
                }
                else
                {
                    fields.Pod = null;
                    scanner.SkipValue();
                }
            }
            else
            {
                scanner.SkipValue();
            }
        }

        return fields;
    }

    private static void ReadResource(ref JsonScanner scanner, Fields fields)
    {
        fields.Group = null;
        fields.Resource = null;
        fields.ResourceSeen = true;
        if (scanner.PeekKind() != JsonValueKind.Object)
        {
            scanner.SkipValue();
            return;
        }

        scanner.EnterObject();
        var first = true;
        while (scanner.NextProperty(ref first, out var name))
        {
            if (name.Is("group"u8))
            {
                fields.Group = scanner.StringOrNull();
            }
            else if (name.Is("resource"u8))
            {
                fields.Resource = scanner.StringOrNull();
            }
            else
            {
                scanner.SkipValue();
            }
        }
    }

    private static Fields? SkipValue(ref JsonScanner scanner)
    {
        scanner.SkipValue();
        return null;
    }

    private sealed class Fields
    {
        public string? Uid { get; set; }

        public string? Operation { get; set; }

        public string? Group { get; set; }

        public string? Resource { get; set; }

        public bool ResourceSeen { get; set; }

        public string? SubResource { get; set; }

        public string? Namespace { get; set; }

        public bool DryRun { get; set; }

        public SparsePod? Pod { get; set; }

        /// <summary>What has been read so far already rules out a pod CREATE.</summary>
        public bool CannotBePodCreate =>
            (Operation is not null && Operation != Create)
            || (ResourceSeen && (!string.IsNullOrEmpty(Group) || Resource != Pods))
            || !string.IsNullOrEmpty(SubResource);
    }
}
