using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Admission;

/// <summary>The fields of an AdmissionReview v1 request the webhook reads. The pod stays raw JSON (patches
/// must be computed against exactly what the API server sent; typed models drop unknown fields and rewrite
/// quantities), but only the parts the mutation reads or patches: see <see cref="SparsePodReader"/>.</summary>
/// <param name="Object">For a pod CREATE, the sparse pod from <c>request.object</c>; otherwise null.</param>
internal sealed record AdmissionRequest(
    string ApiVersion,
    string Uid,
    string? Operation,
    string? Group,
    string? Resource,
    string? SubResource,
    string? Namespace,
    bool DryRun,
    JsonObject? Object)
{
    private const string DefaultApiVersion = "admission.k8s.io/v1";
    private const string Create = "CREATE";
    private const string Pods = "pods";

    public bool IsPodCreate => IsPodCreateOf(Operation, Group, Resource, SubResource);

    /// <summary>One forward-only pass over the body: the envelope fields are read, <c>request.object</c> is
    /// read sparsely (only for a pod CREATE), everything else is skipped. The reader still validates every
    /// byte, skipped or not, so a body that is not JSON is refused as before, and the shape errors are only
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
        var reader = new Utf8JsonReader(body);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            EnsureEnd(ref reader);
            throw new BadAdmissionRequestException("the body must be an AdmissionReview object");
        }

        string? apiVersion = null;
        Fields? request = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("apiVersion"u8))
            {
                reader.Read();
                apiVersion = StringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("request"u8))
            {
                reader.Read();
                request = reader.TokenType == JsonTokenType.StartObject ? ReadRequest(ref reader) : SkipValue(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        EnsureEnd(ref reader);
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
            request.Namespace ?? (podCreate ? SparsePodReader.Namespace(request.Pod) : null),
            request.DryRun,
            podCreate ? request.Pod : null);
    }

    private static Fields ReadRequest(ref Utf8JsonReader reader)
    {
        var fields = new Fields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("uid"u8))
            {
                reader.Read();
                fields.Uid = StringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("operation"u8))
            {
                reader.Read();
                fields.Operation = StringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("namespace"u8))
            {
                reader.Read();
                fields.Namespace = StringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("subResource"u8))
            {
                reader.Read();
                fields.SubResource = StringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("dryRun"u8))
            {
                reader.Read();
                fields.DryRun = reader.TokenType == JsonTokenType.True;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("resource"u8))
            {
                reader.Read();
                ReadResource(ref reader, fields);
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();

                // The API server sends operation and resource before object, so a request that is not a pod
                // CREATE is skipped here; in any other order the pod is read and dropped at the end.
                if (reader.TokenType == JsonTokenType.StartObject && !fields.CannotBePodCreate)
                {
                    fields.Pod = SparsePodReader.Read(ref reader);
                }
                else
                {
                    fields.Pod = null;
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return fields;
    }

    private static void ReadResource(ref Utf8JsonReader reader, Fields fields)
    {
        fields.Group = null;
        fields.Resource = null;
        fields.ResourceSeen = true;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("group"u8))
            {
                reader.Read();
                fields.Group = StringOrNull(ref reader);
            }
            else if (reader.ValueTextEquals("resource"u8))
            {
                reader.Read();
                fields.Resource = StringOrNull(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>The value as a string when it is one; any other value is skipped and reads as null.</summary>
    private static string? StringOrNull(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static Fields? SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    /// <summary>Nothing but whitespace may follow the root value (the reader throws otherwise).</summary>
    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new BadAdmissionRequestException("the body is not valid JSON: more than one value");
        }
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

        public JsonObject? Pod { get; set; }

        /// <summary>What has been read so far already rules out a pod CREATE.</summary>
        public bool CannotBePodCreate =>
            (Operation is not null && Operation != Create)
            || (ResourceSeen && (!string.IsNullOrEmpty(Group) || Resource != Pods))
            || !string.IsNullOrEmpty(SubResource);
    }
}
