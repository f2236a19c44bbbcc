using Platform.DevicePlugin.Inventory;
using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Dra.Slices;

/// <summary>
/// Groups GPUs into NVLink domains: the connected sets of the NVLink graph discovery reported. A domain is
/// named after its lowest GPU index (<c>nvlink-0</c>); a GPU without NVLink peers is in none. A claim that
/// needs linked GPUs asks for equal values (<c>matchAttribute: gpu.raygpu.io/nvlinkDomain</c>). On NVSwitch
/// systems (HGX) every GPU reaches every other, so one domain is exact; on bridged pairs each pair is one.
/// </summary>
internal static class NvLinkDomains
{
    public static IReadOnlyDictionary<int, string> Of(GpuDiscovery discovery)
    {
        var parent = new Dictionary<int, int>();
        foreach (var link in discovery.Topology)
        {
            if (link.Level != GpuInterconnect.NvLink || link.IndexA == link.IndexB)
            {
                continue;
            }

            var a = Root(parent, link.IndexA);
            var b = Root(parent, link.IndexB);
            if (a != b)
            {
                // The lower index becomes the root, so a domain's name is its lowest member.
                parent[Math.Max(a, b)] = Math.Min(a, b);
            }
        }

        var known = discovery.Devices.Select(d => d.Index).ToHashSet();
        var domains = new Dictionary<int, string>();
        foreach (var index in parent.Keys.Where(known.Contains).ToList())
        {
            domains[index] = $"nvlink-{Root(parent, index)}";
        }

        return domains;
    }

    private static int Root(Dictionary<int, int> parent, int index)
    {
        if (!parent.TryGetValue(index, out var up))
        {
            parent[index] = index;
            return index;
        }

        while (up != index)
        {
            index = up;
            up = parent[index];
        }

        return index;
    }
}
