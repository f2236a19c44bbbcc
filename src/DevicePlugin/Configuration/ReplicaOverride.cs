namespace Platform.DevicePlugin.Configuration;

/// <summary>
/// One entry of <c>DevicePlugin:Sharing:Devices</c>: the replica count for the GPUs it matches. Set exactly
/// one of <see cref="Uuid"/>, <see cref="Index"/>, <see cref="Product"/>. A UUID match wins over an index
/// match, which wins over a product match.
/// </summary>
public sealed class ReplicaOverride
{
    public string? Uuid { get; set; }

    public int? Index { get; set; }

    /// <summary>Product name as NVML reports it (e.g. "NVIDIA A10G"), compared case-insensitively.</summary>
    public string? Product { get; set; }

    /// <summary>Replicas for the matched GPUs (1 = not shared).</summary>
    public int Replicas { get; set; } = 1;
}
