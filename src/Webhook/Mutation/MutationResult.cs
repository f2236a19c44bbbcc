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
/// <see cref="MutatedPod"/> is the pod with the patch applied, for the preview; the admission fast path
/// (<see cref="Admission.SparseWorkerMutation"/>), which never builds the pod, leaves it null.</summary>
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
