using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Allocation;

/// <summary>
/// Chooses a preferred set of device IDs for a request that <see cref="PreferredRequestValidator"/> accepted:
/// exactly <c>size</c> IDs, all from the available ones, every must-include ID among them. The rest are
/// whole GPUs with the best interconnect, or replicas by the placement policy. Healthy devices come first;
/// an unhealthy one is only picked when there are not enough healthy ones (Allocate then explains it). With
/// missing topology the choice is simply unaligned, never an error (NVIDIA k8s-device-plugin #2038).
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
        var mustSet = must.ToHashSet(StringComparer.Ordinal);
        var mustDevices = must.Select(layout.Find).OfType<AdvertisedDevice>().ToList();
        var others = availableIds
            .Distinct(StringComparer.Ordinal)
            .Where(id => !mustSet.Contains(id))
            .Select(layout.Find)
            .OfType<AdvertisedDevice>()
            .OrderBy(d => d.Gpu.Index).ThenBy(d => d.Replica ?? 0)
            .ToList();
        var candidates = others.Where(d => d.Gpu.IsHealthy).ToList();
        var needed = Math.Max(0, size - must.Count);

        if (candidates.Count <= needed)
        {
            var picked = candidates.Concat(others.Where(d => !d.Gpu.IsHealthy)).Take(needed).ToList();
            var gpus = mustDevices.Concat(picked).Select(d => d.Gpu).DistinctBy(g => g.Uuid).ToList();
            TopologyScore.Set(layout.Snapshot, gpus, out var known);
            return new PreferredChoice(must.Concat(picked.Select(c => c.Id)).ToList(), known);
        }

        var chosen = layout.HasReplicas
            ? PickReplicas(layout.Snapshot, mustDevices, candidates, needed, placement)
            : PickByTopology(layout.Snapshot, mustDevices, candidates, needed);
        var chosenGpus = mustDevices.Concat(chosen).Select(d => d.Gpu).DistinctBy(g => g.Uuid).ToList();
        TopologyScore.Set(layout.Snapshot, chosenGpus, out var aligned);
        return new PreferredChoice(must.Concat(chosen.Select(p => p.Id)).ToList(), aligned);
    }

    private static List<AdvertisedDevice> PickByTopology(InventorySnapshot snapshot, List<AdvertisedDevice> must, List<AdvertisedDevice> candidates, int needed)
    {
        // Pair scores computed once: the search below only adds integers (C(16,8) sets in well under a millisecond).
        var n = candidates.Count;
        var pair = new int[n, n];
        var withMust = new int[n];
        for (var i = 0; i < n; i++)
        {
            foreach (var m in must)
            {
                withMust[i] += TopologyScore.Pair(snapshot, m.Gpu, candidates[i].Gpu, out _);
            }

            for (var j = i + 1; j < n; j++)
            {
                pair[i, j] = pair[j, i] = TopologyScore.Pair(snapshot, candidates[i].Gpu, candidates[j].Gpu, out _);
            }
        }

        List<int> chosen = Combinations(n, needed) <= ExhaustiveLimit
            ? [.. Exhaustive(pair, withMust, n, needed)]
            : Greedy(pair, withMust, n, needed, must.Count > 0);
        return chosen.Select(i => candidates[i]).ToList();
    }

    private static int[] Exhaustive(int[,] pair, int[] withMust, int n, int needed)
    {
        var indexes = Enumerable.Range(0, needed).ToArray();
        var best = (int[])indexes.Clone();
        var bestScore = int.MinValue;
        while (true)
        {
            var score = 0;
            for (var a = 0; a < needed; a++)
            {
                score += withMust[indexes[a]];
                for (var b = a + 1; b < needed; b++)
                {
                    score += pair[indexes[a], indexes[b]];
                }
            }

            if (score > bestScore)
            {
                bestScore = score;
                indexes.CopyTo(best, 0);
            }

            // Next combination in lexicographic order, so ties keep the lowest GPU indexes.
            var k = needed - 1;
            while (k >= 0 && indexes[k] == n - needed + k)
            {
                k--;
            }

            if (k < 0)
            {
                return best;
            }

            indexes[k]++;
            for (var j = k + 1; j < needed; j++)
            {
                indexes[j] = indexes[j - 1] + 1;
            }
        }
    }

    /// <summary>Adds, one at a time, the candidate that scores best with what is already chosen; starts from the best-connected one.</summary>
    private static List<int> Greedy(int[,] pair, int[] withMust, int n, int needed, bool hasMust)
    {
        var affinity = (int[])withMust.Clone();
        var taken = new bool[n];
        var result = new List<int>(needed);
        while (result.Count < needed)
        {
            var best = -1;
            var bestScore = int.MinValue;
            for (var i = 0; i < n; i++)
            {
                if (taken[i])
                {
                    continue;
                }

                var score = result.Count == 0 && !hasMust ? BestPartner(pair, i, n) : affinity[i];
                if (score > bestScore)
                {
                    bestScore = score;
                    best = i;
                }
            }

            taken[best] = true;
            result.Add(best);
            for (var i = 0; i < n; i++)
            {
                affinity[i] += pair[best, i];
            }
        }

        return result;
    }

    private static int BestPartner(int[,] pair, int i, int n)
    {
        var best = 0;
        for (var j = 0; j < n; j++)
        {
            best = j != i && pair[i, j] > best ? pair[i, j] : best;
        }

        return best;
    }

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
