using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>How many GPUs Kubernetes gives a container: the one place that reads it, for every rule that asks
/// (is this a GPU pod, what does <c>ray start --num-gpus</c> have to say, must a container's GPUs be hidden).</summary>
internal static class ContainerGpus
{
    /// <summary>Every MIG resource NVIDIA's device plugin advertises under the mixed strategy starts so, the
    /// suffixed profiles KubeRay's own pattern misses (<c>nvidia.com/mig-1g.10gb.me</c>) included.</summary>
    private const string MigResourcePrefix = "nvidia.com/mig-";

    /// <summary>The container's whole-number limit of the policy's GPU resource; null when it has none
    /// (<paramref name="present"/> false) or when the limit is there but not a count.</summary>
    public static int? Read(JsonObject container, GpuPolicy policy, out bool present) =>
        GpuQuantity.Read(JsonRead.Object(container["resources"], "limits"), policy.GpuResourceName, out present);

    /// <summary>The CUDA devices the container gets, which Ray's <c>--num-gpus</c> must equal: the policy's GPU
    /// resource plus every MIG resource it asks for, each MIG instance being one device (DECISIONS 7). Null when
    /// it asks for none (<paramref name="present"/> false) or when one of those limits is not a count.</summary>
    public static int? Devices(JsonObject container, GpuPolicy policy, out bool present)
    {
        present = false;
        if (JsonRead.Object(container["resources"], "limits") is not { } limits)
        {
            return null;
        }

        long total = 0;
        var readable = true;
        foreach (var (name, _) in limits)
        {
            if (!string.Equals(name, policy.GpuResourceName, StringComparison.Ordinal) && !IsMigResource(name))
            {
                continue;
            }

            var count = GpuQuantity.Read(limits, name, out var here);
            present |= here;
            readable &= count is not null;
            total += count ?? 0;
        }

        // No node holds int.MaxValue devices; a sum past it is as unreadable as a limit that is not a count.
        return present && readable && total <= int.MaxValue ? (int)total : null;
    }

    /// <summary>Whether the container has GPUs at all, whole or MIG (an unreadable limit counts: the kubelet still
    /// hands it devices or refuses it).</summary>
    public static bool Has(JsonObject container, GpuPolicy policy)
    {
        var count = Devices(container, policy, out var present);
        return count > 0 || (present && count is null);
    }

    public static bool IsMigResource(string name) =>
        name.StartsWith(MigResourcePrefix, StringComparison.Ordinal) && name.Length > MigResourcePrefix.Length;
}
