using System.Globalization;

namespace Platform.Webhook.Mutation;

/// <summary>Sets the Ray container's GPU count from the profile; <see cref="RayStartMutation"/> then keeps
/// <c>ray start --num-gpus</c> in step.</summary>
internal static class GpuLimitMutation
{
    public const string Change = "gpu-limit";

    private static readonly string[] Resources = ["spec", "containers", "0", "resources"];
    private static readonly string[] Limits = [.. Resources, "limits"];
    private static readonly string[] Requests = [.. Resources, "requests"];

    public static void Apply(MutationContext context)
    {
        if (context.Profile is not { Gpus: { } wanted } profile)
        {
            return;
        }

        var container = context.RayContainer;
        var current = ContainerGpus.Read(container, context.Policy, out var present);
        var name = context.RayContainerName;
        if (present && current == wanted)
        {
            return;
        }

        var resource = context.Policy.GpuResourceName;
        if (!present && DraClaims.Uses(context))
        {
            // A limit on top of the claims would ask the node for a second set of GPUs. Ray, though, counts GPUs
            // from this limit only (KubeRay writes --num-gpus from it), so without it Ray must be told.
            context.Warn($"container {name} takes its devices from resourceClaims (DRA): no GPU limit added from profile {profile.Name}");
            context.Warn($"Ray counts GPUs by the {resource} limit; set rayStartParams num-gpus to the claimed GPUs");
            return;
        }

        var requests = JsonRead.Object(container["resources"], "requests");
        if (present && !profile.Enforce)
        {
            var have = current?.ToString(CultureInfo.InvariantCulture) ?? JsonRead.String(JsonRead.Object(container["resources"], "limits"), resource) ?? "?";
            context.Warn($"kept {have} GPU(s) on container {name}; profile {profile.Name} asks for {wanted} (enforce: true overrides)");
            return;
        }

        context.Patch.Set(Limits, resource, GpuQuantity.Format(wanted));

        // Extended resources need requests == limits; only touch requests when the pod has them.
        if (requests is not null)
        {
            context.Patch.Set(Requests, resource, GpuQuantity.Format(wanted));
        }

        context.Changed(Change);
        context.Warn(present
            ? $"set {wanted} GPU(s) on container {name} (was {current?.ToString(CultureInfo.InvariantCulture) ?? "unreadable"}) from enforced profile {profile.Name}"
            : $"set {wanted} GPU(s) on container {name} from profile {profile.Name}");
    }
}
