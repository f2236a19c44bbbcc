namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>
/// One GPU of a prepared claim as the kubelet gets it back: the claim's requests it serves, its pool and
/// device name from the allocation, the GPU's UUID, and the CDI device IDs the container runtime injects.
/// </summary>
internal sealed record PreparedDevice(
    IReadOnlyList<string> RequestNames,
    string PoolName,
    string DeviceName,
    string Uuid,
    IReadOnlyList<string> CdiDeviceIds);
