using System.Text.Json.Serialization;

namespace Platform.NodeAgent.Kubernetes;

/// <summary><c>resource.k8s.io/v1</c> ResourceClaim: only the fields the kubelet plugin reads.</summary>
internal sealed class ResourceClaimDto
{
    [JsonPropertyName("metadata")]
    public ObjectMetaDto? Metadata { get; set; }

    [JsonPropertyName("status")]
    public ResourceClaimStatusDto? Status { get; set; }
}

internal sealed class ResourceClaimStatusDto
{
    [JsonPropertyName("allocation")]
    public AllocationResultDto? Allocation { get; set; }
}

internal sealed class AllocationResultDto
{
    [JsonPropertyName("devices")]
    public DeviceAllocationResultDto? Devices { get; set; }
}

internal sealed class DeviceAllocationResultDto
{
    [JsonPropertyName("results")]
    public List<DeviceRequestAllocationResultDto>? Results { get; set; }
}

internal sealed class DeviceRequestAllocationResultDto
{
    [JsonPropertyName("request")]
    public string? Request { get; set; }

    [JsonPropertyName("driver")]
    public string? Driver { get; set; }

    [JsonPropertyName("pool")]
    public string? Pool { get; set; }

    [JsonPropertyName("device")]
    public string? Device { get; set; }
}

[JsonSerializable(typeof(ResourceClaimDto))]
internal sealed partial class ResourceClaimJsonContext : JsonSerializerContext;
