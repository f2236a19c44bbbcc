using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Configuration;

/// <summary>Decides how many replicas each GPU is advertised as, and how shared GPUs are handled.</summary>
internal sealed record ReplicaPolicy(
    int DefaultReplicas,
    IReadOnlyList<ReplicaOverride> Overrides,
    bool SeparateSharedResource,
    bool FailRequestsGreaterThanOne,
    ReplicaPlacement Placement)
{
    public static ReplicaPolicy None { get; } = new(1, [], false, false, ReplicaPlacement.Distributed);

    /// <summary>UUID match, then index, then product name, then the global count.</summary>
    public int ReplicasFor(GpuDevice device)
    {
        ReplicaOverride? byIndex = null;
        ReplicaOverride? byProduct = null;
        foreach (var entry in Overrides)
        {
            if (entry.Uuid is not null && string.Equals(entry.Uuid, device.Uuid, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Replicas;
            }

            if (byIndex is null && entry.Index is { } index && index == device.Index)
            {
                byIndex = entry;
            }

            if (byProduct is null && entry.Product is not null && device.ProductName is not null
                && string.Equals(entry.Product.Trim(), device.ProductName.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                byProduct = entry;
            }
        }

        return (byIndex ?? byProduct)?.Replicas ?? DefaultReplicas;
    }
}
