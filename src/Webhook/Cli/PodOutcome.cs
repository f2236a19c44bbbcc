using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Cli;

/// <summary>One pod run through the mutator, and what the API server would end up with.</summary>
/// <param name="DenyOnError">The <c>--on-error</c> choice: whether a failed mutation rejects the pod.</param>
internal sealed record PodOutcome(PodInput Input, MutationResult Result, bool DenyOnError)
{
    /// <summary>False when the pod would be rejected: denied, or failed with <c>--on-error deny</c>.</summary>
    public bool Allowed => Result.Decision switch
    {
        MutationDecision.Denied => false,
        MutationDecision.Failed => !DenyOnError,
        _ => true,
    };

    /// <summary>The pod the API server would store: the patched pod, the input when nothing applies, null when rejected.</summary>
    public JsonObject? ResultingPod => !Allowed ? null : Result.Decision == MutationDecision.Patched ? Result.MutatedPod : Input.Pod;

    /// <summary>The patch the webhook sends (empty when it sends none).</summary>
    public IReadOnlyList<JsonPatchOperation> SentPatch => Result.Decision == MutationDecision.Patched ? Result.Patch : [];

    public string DecisionText => Result.Decision switch
    {
        MutationDecision.Unchanged => "unchanged",
        MutationDecision.Patched => "patched",
        MutationDecision.Denied => "denied",
        _ => DenyOnError ? "failed (denied: --on-error deny)" : "failed (admitted unchanged: --on-error allow)",
    };

    public string KindText => Result.Kind switch
    {
        RayPodKind.Head => "head",
        RayPodKind.Worker => "worker",
        _ => "not a Ray pod",
    };
}
