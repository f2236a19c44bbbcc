using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>The pod caller of <see cref="TemplateMutator"/>: a pod is the template at the root of its own
/// document, and its Ray role, cluster and group come from the labels KubeRay gave it.</summary>
internal static class PodMutator
{
    /// <summary>Mutates a pod read from the admission request; the element must outlive the call only.</summary>
    public static MutationResult Mutate(JsonElement pod, string? podNamespace, GpuPolicy policy, bool keepMutated, CancellationToken cancellationToken)
    {
        if (pod.ValueKind != JsonValueKind.Object)
        {
            return TemplateMutator.Mutate(pod, string.Empty, RayPod.NotRay, podNamespace, policy, keepMutated, cancellationToken);
        }

        var working = JsonObject.Create(pod)!;
        return TemplateMutator.Mutate(working, pod, string.Empty, RayPodClassifier.Classify(pod), podNamespace, policy, keepMutated, cancellationToken);
    }

    /// <summary>Mutates a pod held as a node (the offline CLI, tests); the node is left as it is, and
    /// <see cref="MutationResult.MutatedPod"/> is the pod with the patch applied.</summary>
    public static MutationResult Mutate(JsonObject pod, string? podNamespace, GpuPolicy policy, CancellationToken cancellationToken = default)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            pod.WriteTo(writer);
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);

        // ParseValue gives an element that owns its memory: the mutated pod may outlive this call.
        return Mutate(JsonElement.ParseValue(ref reader), podNamespace, policy, keepMutated: true, cancellationToken);
    }
}
