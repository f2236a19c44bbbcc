using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

/// <summary>What became of one group of a Ray custom resource.</summary>
/// <param name="Location">JSON pointer of the group spec in the resource.</param>
/// <param name="Template">The template's own result; null when an UPDATE left the group's template unchanged
/// and the policy does not reach existing groups.</param>
internal sealed record RayGroupOutcome(string Name, bool IsHead, string Location, MutationResult? Template);

/// <summary>Everything the admission answer and the offline preview need from the mutation of a RayCluster,
/// RayJob or RayService: one patch over the whole resource, the warnings of every group (prefixed with its
/// name) and the outcome of each group. <see cref="Mutated"/> is the resource with the patch applied, for the
/// offline preview.</summary>
internal sealed record RayResourceResult(
    MutationDecision Decision,
    string Kind,
    string? Cluster,
    IReadOnlyList<RayGroupOutcome> Groups,
    IReadOnlyList<JsonPatchOperation> Patch,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, string> AuditAnnotations,
    string? Message,
    JsonObject? Mutated);
