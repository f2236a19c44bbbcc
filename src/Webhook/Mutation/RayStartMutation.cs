using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>Ray always agrees with Kubernetes: whenever the Ray container has a GPU limit, <c>--num-gpus</c> in
/// its <c>ray start</c> line (args[0], repeated in KUBERAY_GEN_RAY_START_CMD) equals it (with MIG resources, the
/// MIG instances it asks for: <see cref="ContainerGpus.Devices"/>). KubeRay writes the flag
/// from <c>rayStartParams</c> when the user gave one, whatever the limit says; and the webhook runs after KubeRay,
/// so a limit it sets must be carried into the flag by the webhook itself. Otherwise Ray schedules tasks on GPUs
/// the container does not have, or leaves some idle.</summary>
internal static class RayStartMutation
{
    public const string Change = "num-gpus";

    private static readonly string[] Container = ["spec", "containers", "0"];

    public static void Apply(MutationContext context)
    {
        var container = context.RayContainer;
        if (ContainerGpus.Devices(container, context.Policy, out _) is not (> 0 and var gpus))
        {
            return;
        }

        // A limit the webhook set itself is always carried into the flag (added when KubeRay left it out); a
        // disagreement the pod came with follows ray.numGpus.
        var limitChanged = context.Changes.Contains(GpuLimitMutation.Change);
        var fix = limitChanged || context.Policy.Ray.NumGpus == NumGpusAction.Fix;
        var name = context.RayContainerName;
        string? previous = null;
        var disagrees = false;
        var rayStartInArgs = false;

        // args and env are read as the client sent them: no earlier step changes them.
        var original = context.OriginalRayContainer;
        if (Strings(original, "args") is { } args && args.GetArrayLength() > 0 && Text(args[0]) is { } line
            && RayStartCommand.WithNumGpus(line, gpus, addWhenMissing: limitChanged, out var was) is { } newLine)
        {
            rayStartInArgs = true;
            if (newLine != line)
            {
                disagrees = true;
                previous ??= was;
                if (fix)
                {
                    context.Patch.Replace([.. Container, "args", "0"], JsonValue.Create(newLine));
                }
            }
        }

        var env = Strings(original, "env");
        for (var index = 0; index < (env?.GetArrayLength() ?? 0); index++)
        {
            var variable = env!.Value[index];
            context.CancellationToken.ThrowIfCancellationRequested();
            if (variable.ValueKind == JsonValueKind.Object && variable.TryGetProperty("name", out var variableName) && variableName.ValueKind == JsonValueKind.String
                && variableName.ValueEquals(RayEnv.GeneratedStartCommand) && variable.TryGetProperty("value", out var valueElement) && Text(valueElement) is { } value
                && RayStartCommand.WithNumGpus(value, gpus, addWhenMissing: limitChanged, out var wasInEnv) is { } newValue && newValue != value)
            {
                disagrees = true;
                previous ??= wasInEnv;
                if (fix)
                {
                    context.Patch.Replace([.. Container, "env", index.ToString(CultureInfo.InvariantCulture), "value"], JsonValue.Create(newValue));
                }
            }
        }

        if (disagrees && fix)
        {
            context.Changed(Change);
            context.Warn(previous is null || limitChanged
                ? $"set --num-gpus={gpus} in ray start of container {name} so Ray sees the same GPUs as Kubernetes"
                : $"set --num-gpus={gpus} in ray start of container {name} (was {previous}): its GPU limit is {gpus}");
        }
        else if (disagrees)
        {
            context.Warn($"ray start of container {name} says --num-gpus={previous} but its GPU limit is {gpus} (ray.numGpus: warn)");
        }

        if (limitChanged && !rayStartInArgs && !context.KubeRayWritesRayStart)
        {
            context.Warn($"no 'ray start' in args[0] of container {name}: set --num-gpus={gpus} there yourself");
        }
    }

    private static JsonElement? Strings(JsonElement container, string name) =>
        container.ValueKind == JsonValueKind.Object && container.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array ? list : null;

    private static string? Text(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape: valid JSON, no .NET string, and no ray start line either.
            return null;
        }
    }
}
