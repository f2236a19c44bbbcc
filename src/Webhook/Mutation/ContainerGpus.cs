using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>How many GPUs Kubernetes gives a container: the one place that reads it, for every rule that asks
/// (is this a GPU pod, what does <c>ray start --num-gpus</c> have to say, must a container's GPUs be hidden).</summary>
internal static class ContainerGpus
{
    /// <summary>The container's whole-number GPU limit; null when it has none (<paramref name="present"/> false)
    /// or when the limit is there but not a count.</summary>
    public static int? Read(JsonObject container, GpuPolicy policy, out bool present) =>
        GpuQuantity.Read(JsonRead.Object(container["resources"], "limits"), policy.GpuResourceName, out present);

    /// <summary>Whether the container has a GPU limit at all (an unreadable one counts: the kubelet still
    /// hands it GPUs or refuses it).</summary>
    public static bool Has(JsonObject container, GpuPolicy policy)
    {
        var count = Read(container, policy, out var present);
        return count > 0 || (present && count is null);
    }
}
