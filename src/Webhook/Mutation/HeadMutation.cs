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
            if (containers[i] is not JsonObject container || !NeedsHiddenGpus(container, context.Policy))
            {
                continue;
            }

            context.Patch.Append(
                ["spec", "containers", i.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                "env",
                HiddenGpusEnv());
            context.Changed("hide-gpus");
            context.Warn(HiddenGpusWarning(JsonRead.String(container, "name") ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Whether a container of a head pod that gets head.hideGpus treatment needs
    /// <c>NVIDIA_VISIBLE_DEVICES=void</c>: it has no GPU limit and its env does not set the variable already. The
    /// custom-resource caller asks the same of the autoscaler sidecar KubeRay adds to the head pod.</summary>
    public static bool NeedsHiddenGpus(JsonObject container, GpuPolicy policy)
    {
        if (ContainerGpus.Has(container, policy))
        {
            return false;
        }

        var env = JsonRead.Array(container, "env");
        return env is null || !env.Any(e => e is JsonObject o && JsonRead.String(o, "name") == RayEnv.NvidiaVisibleDevices);
    }

    public static JsonObject HiddenGpusEnv() => new() { ["name"] = RayEnv.NvidiaVisibleDevices, ["value"] = "void" };

    public static string HiddenGpusWarning(string container) =>
        $"set {RayEnv.NvidiaVisibleDevices}=void on container {container}: no GPU limit, so it must not see the node's GPUs";
}
