using System.Text.Json.Serialization;

namespace Platform.NodeAgent.Dra.Slices;

/// <summary>
/// <c>resource.k8s.io/v1</c> ResourceSlice, the fields this driver writes and reads (kubernetes/api
/// <c>resource/v1/types.go</c>); anything else the server returns is ignored on read.
/// </summary>
internal sealed class ResourceSliceDto
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "resource.k8s.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ResourceSlice";

    [JsonPropertyName("metadata")]
    public SliceMetaDto Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ResourceSliceSpecDto Spec { get; set; } = new();
}

internal sealed class ResourceSliceListDto
{
    [JsonPropertyName("metadata")]
    public SliceMetaDto? Metadata { get; set; }

    [JsonPropertyName("items")]
    public List<ResourceSliceDto>? Items { get; set; }
}

/// <summary>One line of a watch: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR (then the object is a Status).</summary>
internal sealed class ResourceSliceWatchEventDto
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = string.Empty;

    [JsonPropertyName("object")]
    public WatchObjectDto? Object { get; set; }
}

/// <summary>A watched object as far as the publisher cares: which slice, which version; or the Status of an ERROR.</summary>
internal sealed class WatchObjectDto
{
    [JsonPropertyName("metadata")]
    public SliceMetaDto? Metadata { get; set; }

    [JsonPropertyName("code")]
    public int? Code { get; set; }
}

internal sealed class SliceMetaDto
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("generateName")]
    public string? GenerateName { get; set; }

    [JsonPropertyName("uid")]
    public string? Uid { get; set; }

    [JsonPropertyName("resourceVersion")]
    public string? ResourceVersion { get; set; }

    [JsonPropertyName("ownerReferences")]
    public List<OwnerReferenceDto>? OwnerReferences { get; set; }
}

internal sealed class OwnerReferenceDto
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Node";

    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("uid")]
    public string Uid { get; set; } = string.Empty;

    [JsonPropertyName("controller")]
    public bool? Controller { get; set; }
}

internal sealed class ResourceSliceSpecDto
{
    [JsonPropertyName("driver")]
    public string Driver { get; set; } = string.Empty;

    [JsonPropertyName("pool")]
    public ResourcePoolDto Pool { get; set; } = new();

    [JsonPropertyName("nodeName")]
    public string? NodeName { get; set; }

    [JsonPropertyName("devices")]
    public List<SliceDeviceDto>? Devices { get; set; }
}

internal sealed class ResourcePoolDto
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("generation")]
    public long Generation { get; set; }

    [JsonPropertyName("resourceSliceCount")]
    public long ResourceSliceCount { get; set; }
}

internal sealed class SliceDeviceDto
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("attributes")]
    public SortedDictionary<string, DeviceAttributeDto>? Attributes { get; set; }

    [JsonPropertyName("capacity")]
    public SortedDictionary<string, DeviceCapacityDto>? Capacity { get; set; }

    [JsonPropertyName("taints")]
    public List<DeviceTaintDto>? Taints { get; set; }
}

/// <summary>Exactly one member is set (a union in the API).</summary>
internal sealed class DeviceAttributeDto
{
    [JsonPropertyName("int")]
    public long? Int { get; set; }

    [JsonPropertyName("bool")]
    public bool? Bool { get; set; }

    [JsonPropertyName("string")]
    public string? String { get; set; }

    [JsonPropertyName("version")]
    public string? Version { get; set; }
}

internal sealed class DeviceCapacityDto
{
    /// <summary>A Kubernetes quantity in canonical form (<c>80Gi</c>), so what the server echoes compares equal.</summary>
    [JsonPropertyName("value")]
    public string Value { get; set; } = string.Empty;
}

internal sealed class DeviceTaintDto
{
    [JsonPropertyName("key")]
    public string Key { get; set; } = string.Empty;

    [JsonPropertyName("value")]
    public string? Value { get; set; }

    [JsonPropertyName("effect")]
    public string Effect { get; set; } = string.Empty;

    /// <summary>Set by the server on create or update; not part of what this driver compares.</summary>
    [JsonPropertyName("timeAdded")]
    public string? TimeAdded { get; set; }
}

/// <summary>The one Node field slices need: its uid, for the owner reference that lets garbage collection follow the Node.</summary>
internal sealed class NodeIdentityDto
{
    [JsonPropertyName("metadata")]
    public SliceMetaDto? Metadata { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResourceSliceDto))]
[JsonSerializable(typeof(ResourceSliceListDto))]
[JsonSerializable(typeof(List<SliceDeviceDto>))]
[JsonSerializable(typeof(NodeIdentityDto))]
[JsonSerializable(typeof(ResourceSliceWatchEventDto))]
internal sealed partial class ResourceSliceJsonContext : JsonSerializerContext;
