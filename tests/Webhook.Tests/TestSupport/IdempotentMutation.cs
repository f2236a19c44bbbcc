using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Tests.TestSupport;

internal static class IdempotentMutation
{
    /// <summary>Mutates, applies the patch independently, checks it reproduces the reported pod, and proves
    /// idempotency: the mutator on its own output yields no operations.</summary>
    public static (MutationResult Result, JsonObject Pod) Mutate(JsonObject pod, string podNamespace, GpuPolicy policy)
    {
        var result = PodMutator.Mutate(pod, podNamespace, policy);
        Assert.True(result.Decision == MutationDecision.Patched, $"{result.Decision}: {result.Message}");
        var applied = IndependentJsonPatch.Apply(pod, result.Patch);
        Assert.True(JsonNode.DeepEquals(applied, result.MutatedPod), "the patch does not reproduce the mutated pod");

        var again = PodMutator.Mutate(applied, podNamespace, policy);
        Assert.Equal(MutationDecision.Unchanged, again.Decision);
        Assert.Empty(again.Patch);
        return (result, applied);
    }
}
