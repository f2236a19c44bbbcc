using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

internal enum MutationDecision
{
    /// <summary>Allowed with no patch: not a Ray pod, or nothing to change.</summary>
    Unchanged,

    /// <summary>Allowed with a patch that was applied and checked in-process.</summary>
    Patched,

    /// <summary>Refused: the pod asks for something the policy cannot give (an unknown profile).</summary>
    Denied,

    /// <summary>The webhook's own failure (unexpected pod shape, patch failed its check); <c>Admission:OnError</c> decides.</summary>
    Failed,
}

/// <summary>Everything the admission answer and the offline preview need from one mutation.
/// <see cref="MutatedPod"/> is the template with the patch applied, for the offline preview; the admission
/// handler does not ask for it and gets null.</summary>
internal sealed record MutationResult(
    MutationDecision Decision,
    RayPodKind Kind,
    string? Cluster,
    string? Group,
    string? Profile,
    IReadOnlyList<JsonPatchOperation> Patch,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, string> AuditAnnotations,
    string? Message,
    JsonObject? MutatedPod);
