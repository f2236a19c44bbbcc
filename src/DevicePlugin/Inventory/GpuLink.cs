namespace Platform.DevicePlugin.Inventory;

/// <summary>
/// The interconnect between two GPUs (unordered pair, by UUID). Pairs the agent does not report fall
/// back to comparing NUMA nodes; a GPU with no topology at all is still allocatable, just unaligned.
/// </summary>
/// <param name="FirstUuid">One GPU of the pair.</param>
/// <param name="SecondUuid">The other GPU of the pair.</param>
/// <param name="Interconnect">The best path between them.</param>
/// <param name="NvLinkCount">Number of NVLinks between them when <paramref name="Interconnect"/> is NVLink (more is better).</param>
public sealed record GpuLink(string FirstUuid, string SecondUuid, GpuInterconnect Interconnect, int NvLinkCount = 0);
