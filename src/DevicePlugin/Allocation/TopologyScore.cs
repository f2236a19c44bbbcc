using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Allocation;

/// <summary>
/// How well two GPUs talk to each other, higher is better. Reported links win; without a link, two GPUs
/// on the same known NUMA node score as such, anything else scores 0 and is "unaligned" but still usable
/// (a GPU with no topology must never make preferred allocation fail: NVIDIA k8s-device-plugin #2038).
/// </summary>
internal static class TopologyScore
{
    public const int SameGpu = 1000;

    public static int Pair(InventorySnapshot snapshot, GpuDevice a, GpuDevice b, out bool known)
    {
        known = true;
        if (a.Uuid == b.Uuid)
        {
            return SameGpu;
        }

        var link = snapshot.FindLink(a.Uuid, b.Uuid);
        if (link is not null)
        {
            return link.Interconnect switch
            {
                GpuInterconnect.NvLink => 500 + (10 * Math.Clamp(link.NvLinkCount, 0, 18)),
                GpuInterconnect.SameBoard => 400,
                GpuInterconnect.SinglePcieSwitch => 300,
                GpuInterconnect.MultiplePcieSwitches => 250,
                GpuInterconnect.HostBridge => 200,
                GpuInterconnect.SameNumaNode => 100,
                _ => 0,
            };
        }

        if (a.NumaNode is { } numaA && b.NumaNode is { } numaB)
        {
            return numaA == numaB ? 100 : 0;
        }

        known = false;
        return 0;
    }

    /// <summary>Sum of pair scores over every pair in the set; <paramref name="allKnown"/> is false when some pair had no topology.</summary>
    public static int Set(InventorySnapshot snapshot, IReadOnlyList<GpuDevice> gpus, out bool allKnown)
    {
        allKnown = true;
        var total = 0;
        for (var i = 0; i < gpus.Count; i++)
        {
            for (var j = i + 1; j < gpus.Count; j++)
            {
                total += Pair(snapshot, gpus[i], gpus[j], out var known);
                allKnown &= known;
            }
        }

        return total;
    }
}
