using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>Ray's view of a group, outside its template: <c>rayStartParams["num-gpus"]</c> (KubeRay writes it into
/// <c>ray start</c> over the limit, and the autoscaler reads it before the limit) and the group spec's own
/// <c>resources</c> map (KubeRay ≥ 1.5, read by autoscaler v2). Where either names a GPU count, it follows the
/// container's GPU limit as <see cref="RayStartMutation"/> keeps the pod's own <c>--num-gpus</c>: always when the
/// webhook set the limit, otherwise as <c>ray.numGpus</c> says. Absent entries stay absent: KubeRay and the
/// autoscaler then take the count from the limit.</summary>
internal static class RayGroupParamsMutation
{
    private const string NumGpus = "num-gpus";
    private const string GpuResource = "GPU";

    /// <param name="gpus">The Ray container's GPU limit once the template is mutated.</param>
    /// <param name="limitChanged">The webhook set that limit.</param>
    public static void Apply(RayGroup group, int gpus, bool limitChanged, GpuPolicy policy, List<JsonPatchOperation> patch, List<string> warnings)
    {
        var fix = limitChanged || policy.Ray.NumGpus == NumGpusAction.Fix;
        Keep(group, "rayStartParams", NumGpus, gpus, fix, patch, warnings);
        Keep(group, "resources", GpuResource, gpus, fix, patch, warnings);
    }

    private static void Keep(RayGroup group, string map, string key, int gpus, bool fix, List<JsonPatchOperation> patch, List<string> warnings)
    {
        if (!group.Spec.TryGetProperty(map, out var entries) || entries.ValueKind != JsonValueKind.Object
            || !entries.TryGetProperty(key, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return;
        }

        var text = value.GetString();
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) && count == gpus)
        {
            return;
        }

        var field = $"{map}[\"{key}\"]";
        if (fix)
        {
            patch.Add(new JsonPatchOperation(
                JsonPatchOperation.ReplaceOp,
                JsonPointer.Append(JsonPointer.Append(group.Location, map), key),
                JsonValue.Create(gpus.ToString(CultureInfo.InvariantCulture))));
            warnings.Add($"set {field}={gpus} (was {text}) to match the GPU limit");
        }
        else
        {
            warnings.Add($"{field} is {text} but the GPU limit is {gpus} (ray.numGpus: warn)");
        }
    }
}
