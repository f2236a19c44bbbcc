using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

/// <summary>Sets the Ray container's GPU count from the profile and keeps <c>ray start --num-gpus</c> in step.</summary>
internal static class GpuLimitMutation
{
    private static readonly string[] Containers = ["spec", "containers"];

    public static void Apply(MutationContext context)
    {
        if (context.Profile is not { Gpus: { } wanted } profile)
        {
            return;
        }

        var resource = context.Policy.GpuResourceName;
        var container = context.RayContainer;
        var resources = container["resources"] as JsonObject;
        var limits = JsonRead.Object(resources, "limits");
        var requests = JsonRead.Object(resources, "requests");
        var current = GpuQuantity.Read(limits, resource, out var present);
        var name = JsonRead.String(container, "name") ?? "0";

        if (present && current == wanted)
        {
            return;
        }

        if (present && !profile.Enforce)
        {
            var have = current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? JsonRead.String(limits, resource) ?? "?";
            context.Warn($"kept {have} GPU(s) on container {name}; profile {profile.Name} asks for {wanted} (enforce: true overrides)");
            return;
        }

        string[] resourcesPath = [.. Containers, "0", "resources"];
        context.Patch.Set([.. resourcesPath, "limits"], resource, GpuQuantity.Format(wanted));

        // Extended resources need requests == limits; only touch requests when the pod has them.
        if (requests is not null)
        {
            context.Patch.Set([.. resourcesPath, "requests"], resource, GpuQuantity.Format(wanted));
        }

        context.Changed("gpu-limit");
        context.Warn(present
            ? $"set {wanted} GPU(s) on container {name} (was {current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unreadable"}) from enforced profile {profile.Name}"
            : $"set {wanted} GPU(s) on container {name} from profile {profile.Name}");
        SyncRayStart(context, container, name, wanted);
    }

    /// <summary>KubeRay derives --num-gpus from the limit when it builds the pod; the webhook runs after that,
    /// so it must rewrite the flag itself in args[0] and in KUBERAY_GEN_RAY_START_CMD.</summary>
    private static void SyncRayStart(MutationContext context, JsonObject container, string name, int gpus)
    {
        var rewrote = false;
        if (container["args"] is JsonArray { Count: > 0 } args && args[0] is JsonValue first && first.TryGetValue<string>(out var line)
            && RayStartCommand.WithNumGpus(line, gpus) is { } newLine)
        {
            context.Patch.Replace([.. Containers, "0", "args", "0"], JsonValue.Create(newLine));
            rewrote = true;
        }

        if (container["env"] is JsonArray env)
        {
            for (var i = 0; i < env.Count; i++)
            {
                if (env[i] is JsonObject variable && JsonRead.String(variable, "name") == RayEnv.GeneratedStartCommand
                    && JsonRead.String(variable, "value") is { } value && RayStartCommand.WithNumGpus(value, gpus) is { } newValue)
                {
                    context.Patch.Replace([.. Containers, "0", "env", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "value"], JsonValue.Create(newValue));
                }
            }
        }

        if (rewrote)
        {
            context.Changed("num-gpus");
            context.Warn($"set --num-gpus={gpus} in ray start of container {name} so Ray sees the same GPUs as Kubernetes");
        }
        else
        {
            context.Warn($"no 'ray start' in args[0] of container {name}: set --num-gpus={gpus} there yourself");
        }
    }
}
