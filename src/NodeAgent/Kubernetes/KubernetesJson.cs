using System.Text.Json.Serialization;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>The metadata fields the agent reads or writes, for every kind it touches (Nodes, Pods, Namespaces,
/// ResourceClaims, Events, Evictions); nothing else is modelled.</summary>
internal sealed class ObjectMetaDto
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("uid")]
    public string? Uid { get; set; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    [JsonPropertyName("resourceVersion")]
    public string? ResourceVersion { get; set; }

    [JsonPropertyName("deletionTimestamp")]
    public string? DeletionTimestamp { get; set; }
}

internal sealed class TaintDto
{
    [JsonPropertyName("key")]
    public string Key { get; set; } = string.Empty;

    [JsonPropertyName("value")]
    public string? Value { get; set; }

    [JsonPropertyName("effect")]
    public string Effect { get; set; } = string.Empty;
}

internal sealed class NodeSpecDto
{
    [JsonPropertyName("taints")]
    public List<TaintDto>? Taints { get; set; }
}

internal sealed class NodeDto
{
    [JsonPropertyName("metadata")]
    public ObjectMetaDto? Metadata { get; set; }

    [JsonPropertyName("spec")]
    public NodeSpecDto? Spec { get; set; }
}

internal sealed class PodDto
{
    [JsonPropertyName("metadata")]
    public ObjectMetaDto? Metadata { get; set; }
}

internal sealed class ObjectReferenceDto
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    /// <summary>Set for namespaced objects (a Pod); absent for a Node.</summary>
    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("uid")]
    public string? Uid { get; set; }
}

/// <summary>events.k8s.io/v1 Event.</summary>
internal sealed class EventDto
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "events.k8s.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Event";

    [JsonPropertyName("metadata")]
    public ObjectMetaDto Metadata { get; set; } = new();

    [JsonPropertyName("eventTime")]
    public string EventTime { get; set; } = string.Empty;

    [JsonPropertyName("type")]
    public string Type { get; set; } = string.Empty;

    [JsonPropertyName("reason")]
    public string Reason { get; set; } = string.Empty;

    [JsonPropertyName("action")]
    public string Action { get; set; } = string.Empty;

    [JsonPropertyName("note")]
    public string Note { get; set; } = string.Empty;

    [JsonPropertyName("reportingController")]
    public string ReportingController { get; set; } = string.Empty;

    [JsonPropertyName("reportingInstance")]
    public string ReportingInstance { get; set; } = string.Empty;

    [JsonPropertyName("regarding")]
    public ObjectReferenceDto Regarding { get; set; } = new();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeDto))]
[JsonSerializable(typeof(PodDto))]
[JsonSerializable(typeof(EventDto))]
internal sealed partial class KubernetesJsonContext : JsonSerializerContext;
