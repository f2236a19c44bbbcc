using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Allocation;

/// <summary>
/// Chooses a preferred set of device IDs: keeps every must-include ID, then picks whole GPUs with the best
/// interconnect, or replicas by the placement policy. It never fails: with missing topology the choice is
/// simply unaligned, and with too few healthy devices it returns what there is (the kubelet fills the rest).
/// </summary>
internal static class PreferredAllocationPolicy
{
    /// <summary>Above this many combinations the search turns greedy (C(16,8) = 12870 stays exhaustive).</summary>
    private const long ExhaustiveLimit = 20_000;

    public static PreferredChoice Choose(
        ResourceLayout layout,
        IEnumerable<string> availableIds,
        IEnumerable<string> mustIncludeIds,
        int size,
        ReplicaPlacement placement)
    {
        var must = mustIncludeIds.Distinct(StringComparer.Ordinal).ToList();
        if (size <= must.Count)
        {
            return new PreferredChoice(must, TopologyAligned: true);
        }

        var mustSet = must.ToHashSet(StringComparer.Ordinal);
        var candidates = availableIds
            .Distinct(StringComparer.Ordinal)
            .Where(id => !mustSet.Contains(id))
            .Select(layout.Find)
            .OfType<AdvertisedDevice>()
            .Where(d => d.Gpu.IsHealthy)
            .OrderBy(d => d.Gpu.Index).ThenBy(d => d.Replica ?? 0)
            .ToList();
        var mustDevices = must.Select(layout.Find).OfType<AdvertisedDevice>().ToList();
        var needed = size - must.Count;

        if (candidates.Count <= needed)
        {
            var all = must.Concat(candidates.Select(c => c.Id)).ToList();
            var gpus = mustDevices.Concat(candidates).Select(d => d.Gpu).DistinctBy(g => g.Uuid).ToList();
            TopologyScore.Set(layout.Snapshot, gpus, out var known);
            return new PreferredChoice(all, known);
        }

        var picked = layout.HasReplicas
            ? PickReplicas(layout.Snapshot, mustDevices, candidates, needed, placement)
            : PickByTopology(layout.Snapshot, mustDevices, candidates, needed);
        var chosenGpus = mustDevices.Concat(picked).Select(d => d.Gpu).DistinctBy(g => g.Uuid).ToList();
        TopologyScore.Set(layout.Snapshot, chosenGpus, out var aligned);
        return new PreferredChoice(must.Concat(picked.Select(p => p.Id)).ToList(), aligned);
    }

    private static List<AdvertisedDevice> PickByTopology(InventorySnapshot snapshot, List<AdvertisedDevice> must, List<AdvertisedDevice> candidates, int needed)
    {
        if (Combinations(candidates.Count, needed) <= ExhaustiveLimit)
        {
            return Exhaustive(snapshot, must, candidates, needed);
        }

        return Greedy(snapshot, must, candidates, needed);
    }

    private static List<AdvertisedDevice> Exhaustive(InventorySnapshot snapshot, List<AdvertisedDevice> must, List<AdvertisedDevice> candidates, int needed)
    {
        var indexes = Enumerable.Range(0, needed).ToArray();
        int[]? best = null;
        var bestScore = int.MinValue;
        var set = new List<GpuDevice>(must.Count + needed);
        while (true)
        {
            set.Clear();
            set.AddRange(must.Select(m => m.Gpu));
            set.AddRange(indexes.Select(i => candidates[i].Gpu));
            var score = TopologyScore.Set(snapshot, set, out _);
            if (score > bestScore)
            {
                bestScore = score;
                best = (int[])indexes.Clone();
            }

            // Next combination in lexicographic order, so ties keep the lowest GPU indexes.
            var k = needed - 1;
            while (k >= 0 && indexes[k] == candidates.Count - needed + k)
            {
                k--;
            }

            if (k < 0)
            {
                break;
            }

            indexes[k]++;
            for (var j = k + 1; j < needed; j++)
            {
                indexes[j] = indexes[j - 1] + 1;
            }
        }

        return best!.Select(i => candidates[i]).ToList();
    }

    private static List<AdvertisedDevice> Greedy(InventorySnapshot snapshot, List<AdvertisedDevice> must, List<AdvertisedDevice> candidates, int needed)
    {
        var chosen = new List<AdvertisedDevice>(must);
        var result = new List<AdvertisedDevice>(needed);
        var remaining = new List<AdvertisedDevice>(candidates);
        while (result.Count < needed)
        {
            var best = remaining
                .Select(c => (Device: c, Score: chosen.Count == 0 ? BestPartner(snapshot, c, remaining) : chosen.Sum(x => TopologyScore.Pair(snapshot, x.Gpu, c.Gpu, out _))))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Device.Gpu.Index)
                .First().Device;
            chosen.Add(best);
            result.Add(best);
            remaining.Remove(best);
        }

        return result;
    }

    private static int BestPartner(InventorySnapshot snapshot, AdvertisedDevice device, List<AdvertisedDevice> others) =>
        others.Where(o => o != device).Select(o => TopologyScore.Pair(snapshot, device.Gpu, o.Gpu, out _)).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Distributed: each pick goes to a GPU not yet in the set, with the most free replicas (least used),
    /// then the best interconnect. Packed: stay on a GPU already in the set, else the GPU with the fewest
    /// free replicas (most used), leaving whole GPUs free for others.
    /// </summary>
    private static List<AdvertisedDevice> PickReplicas(InventorySnapshot snapshot, List<AdvertisedDevice> must, List<AdvertisedDevice> candidates, int needed, ReplicaPlacement placement)
    {
        var free = candidates.GroupBy(c => c.Gpu.Uuid).ToDictionary(g => g.Key, g => new Queue<AdvertisedDevice>(g), StringComparer.Ordinal);
        var inSet = must.Select(m => m.Gpu).DistinctBy(g => g.Uuid).ToList();
        var result = new List<AdvertisedDevice>(needed);
        while (result.Count < needed)
        {
            var options = free.Where(f => f.Value.Count > 0).Select(f => f.Value.Peek()).ToList();
            var ranked = options.Select(o => (
                Device: o,
                InSet: inSet.Any(g => g.Uuid == o.Gpu.Uuid),
                Free: free[o.Gpu.Uuid].Count,
                Topology: inSet.Sum(g => g.Uuid == o.Gpu.Uuid ? 0 : TopologyScore.Pair(snapshot, g, o.Gpu, out _))));
            var best = placement == ReplicaPlacement.Packed
                ? ranked.OrderByDescending(r => r.InSet).ThenBy(r => r.Free).ThenByDescending(r => r.Topology).ThenBy(r => r.Device.Gpu.Index).First()
                : ranked.OrderBy(r => r.InSet).ThenByDescending(r => r.Free).ThenByDescending(r => r.Topology).ThenBy(r => r.Device.Gpu.Index).First();
            free[best.Device.Gpu.Uuid].Dequeue();
            result.Add(best.Device);
            if (!best.InSet)
            {
                inSet.Add(best.Device.Gpu);
            }
        }

        return result;
    }

    private static long Combinations(int n, int k)
    {
        long result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
            if (result > ExhaustiveLimit)
            {
                return result;
            }
        }

        return result;
    }
}

/// <summary>The preferred IDs and whether the choice had topology for every pair of GPUs in it.</summary>
internal sealed record PreferredChoice(IReadOnlyList<string> DeviceIds, bool TopologyAligned);
