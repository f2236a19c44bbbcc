using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>A Ray head without a GPU limit must neither land on a GPU node nor see its GPUs: on a GPU node
/// the NVIDIA runtime exposes every GPU to a container without a limit, and Ray then advertises them.</summary>
internal static class HeadMutation
{
    private static readonly string[] Annotations = ["metadata", "annotations"];

    public static void Apply(MutationContext context)
    {
        var head = context.Policy.Head;
        if (head.AvoidGpuNodes)
        {
            SchedulingMutation.RequireNodeAffinity(context, [new NodeSelectorRequirement(context.Policy.GpuNodeLabel, "NotIn", ["true"])]);
        }

        if (head.HideGpus)
        {
            HideGpus(context);
        }

        foreach (var (key, value) in head.Annotations)
        {
            var current = JsonRead.String(JsonRead.Object(context.Template["metadata"], "annotations"), key);
            if (current == value)
            {
                continue;
            }

            if (current is not null)
            {
                context.Warn($"kept annotation {key}={current}; the policy asks for {value}");
                continue;
            }

            context.Patch.Set(Annotations, key, JsonValue.Create(value));
            context.Changed("annotations");
            context.Warn($"added annotation {key}={value} (head policy)");
        }
    }

    private static void HideGpus(MutationContext context)
    {
        if (JsonRead.Array(context.Template["spec"], "containers") is not { } containers)
        {
            return;
        }

        for (var i = 0; i < containers.Count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (containers[i] is not JsonObject container || ContainerGpus.Has(container, context.Policy))
            {
                continue;
            }

            var env = JsonRead.Array(container, "env");
            if (env is not null && env.Any(e => e is JsonObject o && JsonRead.String(o, "name") == RayEnv.NvidiaVisibleDevices))
            {
                continue;
            }

            context.Patch.Append(
                ["spec", "containers", i.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                "env",
                new JsonObject { ["name"] = RayEnv.NvidiaVisibleDevices, ["value"] = "void" });
            context.Changed("hide-gpus");
            context.Warn($"set {RayEnv.NvidiaVisibleDevices}=void on container {JsonRead.String(container, "name") ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}: no GPU limit, so it must not see the node's GPUs");
        }
    }
}
