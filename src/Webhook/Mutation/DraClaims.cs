using System.Text.Json;

namespace Platform.Webhook.Mutation;

/// <summary>Dynamic Resource Allocation: whether a pod template takes devices from ResourceClaims (the pod's
/// <c>spec.resourceClaims</c>, or the Ray container's <c>resources.claims</c>). Such a pod's GPUs come from its
/// claims, not from a <c>nvidia.com/gpu</c> limit; a pod that asks for <c>nvidia.com/gpu</c> and is served by DRA
/// through the extended-resource mapping (KEP-5004) has neither and is an ordinary GPU pod.</summary>
internal static class DraClaims
{
    /// <summary>Read from the template as the client sent it (no earlier step adds claims).</summary>
    public static bool Uses(MutationContext context)
    {
        var template = context.Original;
        return (template.ValueKind == JsonValueKind.Object && template.TryGetProperty("spec", out var spec) && NonEmpty(spec, "resourceClaims"))
            || (context.OriginalRayContainer is { ValueKind: JsonValueKind.Object } container
                && container.TryGetProperty("resources", out var resources) && NonEmpty(resources, "claims"));
    }

    private static bool NonEmpty(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var list)
        && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0;
}
