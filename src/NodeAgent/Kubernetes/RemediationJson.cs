using System.Text.Json.Serialization;

namespace Platform.NodeAgent.Kubernetes;

internal sealed class PodConditionDto
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = string.Empty;

    [JsonPropertyName("status")]
    public string Status { get; set; } = string.Empty;

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("lastTransitionTime")]
    public string? LastTransitionTime { get; set; }
}

internal sealed class RemediationPodSpecDto
{
    [JsonPropertyName("nodeName")]
    public string? NodeName { get; set; }
}

internal sealed class RemediationPodStatusDto
{
    [JsonPropertyName("podIP")]
    public string? PodIp { get; set; }

    [JsonPropertyName("conditions")]
    public List<PodConditionDto>? Conditions { get; set; }
}

internal sealed class RemediationPodDto
{
    [JsonPropertyName("metadata")]
    public ObjectMetaDto? Metadata { get; set; }

    [JsonPropertyName("spec")]
    public RemediationPodSpecDto? Spec { get; set; }

    [JsonPropertyName("status")]
    public RemediationPodStatusDto? Status { get; set; }
}

/// <summary>Namespaces and Nodes alike: metadata and, for Nodes, the taints.</summary>
internal sealed class RemediationObjectDto
{
    [JsonPropertyName("metadata")]
    public ObjectMetaDto? Metadata { get; set; }

    [JsonPropertyName("spec")]
    public NodeSpecDto? Spec { get; set; }
}

internal sealed class RemediationListDto
{
    [JsonPropertyName("items")]
    public List<RemediationObjectDto>? Items { get; set; }
}

internal sealed class PreconditionsDto
{
    [JsonPropertyName("uid")]
    public string? Uid { get; set; }
}

internal sealed class DeleteOptionsDto
{
    [JsonPropertyName("preconditions")]
    public PreconditionsDto? Preconditions { get; set; }
}

/// <summary>policy/v1 Eviction.</summary>
internal sealed class EvictionDto
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "policy/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Eviction";

    [JsonPropertyName("metadata")]
    public ObjectMetaDto Metadata { get; set; } = new();

    [JsonPropertyName("deleteOptions")]
    public DeleteOptionsDto? DeleteOptions { get; set; }
}

/// <summary>A Status or any object: remediation only needs to know the call went through.</summary>
internal sealed class AnyObjectDto
{
    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

internal sealed class PodStatusPatchBodyDto
{
    [JsonPropertyName("conditions")]
    public List<PodConditionDto> Conditions { get; set; } = [];
}

/// <summary>Strategic-merge patch of pods/status: <c>conditions</c> merge by <c>type</c>.</summary>
internal sealed class PodStatusPatchDto
{
    [JsonPropertyName("status")]
    public PodStatusPatchBodyDto Status { get; set; } = new();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RemediationPodDto))]
[JsonSerializable(typeof(RemediationObjectDto))]
[JsonSerializable(typeof(RemediationListDto))]
[JsonSerializable(typeof(EvictionDto))]
[JsonSerializable(typeof(AnyObjectDto))]
[JsonSerializable(typeof(PodStatusPatchDto))]
internal sealed partial class RemediationJsonContext : JsonSerializerContext;
