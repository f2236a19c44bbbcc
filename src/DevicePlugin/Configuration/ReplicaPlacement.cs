namespace Platform.DevicePlugin.Configuration;

/// <summary>Which replicas GetPreferredAllocation prefers.</summary>
internal enum ReplicaPlacement
{
    Distributed,
    Packed,
}
