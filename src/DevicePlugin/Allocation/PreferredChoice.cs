namespace Platform.DevicePlugin.Allocation;

/// <summary>The preferred IDs and whether the choice had topology for every pair of GPUs in it.</summary>
internal sealed record PreferredChoice(IReadOnlyList<string> DeviceIds, bool TopologyAligned);
