namespace Platform.Webhook.Admission;

/// <summary>The three sections of a pod that <see cref="SparseWorkerMutation"/> patches, read once from the body
/// as the API server sent them: what the mutation decides on and what <see cref="SparsePatchProof"/> applies
/// the patch to. A section is a list or a map (<see cref="Original{T}.Value"/>), or neither: missing, JSON
/// null (<see cref="Original{T}.Missing"/>) or another value.</summary>
internal sealed record SparseSections(
    SparseSections.Original<List<SparseToleration?>> Tolerations,
    SparseSections.Original<SlotMembers> NodeSelector,
    SparseSections.Original<SlotMembers> Annotations)
{
    /// <summary>Reads the sections; null when one has a repeated or escaped name (the general path's to read).</summary>
    public static SparseSections? Read(SparsePod pod, ReadOnlySpan<byte> body)
    {
        var tolerations = pod.Tolerations;
        List<SparseToleration?>? elements = null;
        if (tolerations.IsArrayIn(body))
        {
            elements = [];
            foreach (var element in SlotReader.Array(body, tolerations))
            {
                // Null for an element that is not an object; a repeated or escaped name in one is not readable here.
                var toleration = SparseToleration.Read(body, element);
                if (toleration is null && element.IsObjectIn(body))
                {
                    return null;
                }

                elements.Add(toleration);
            }
        }

        if (SlotReader.Object(body, pod.NodeSelector, []) is not { } nodeSelector
            || SlotReader.Object(body, pod.Annotations, SparseWorkerMutation.AnnotationNames) is not { } annotations)
        {
            return null;
        }

        return new SparseSections(
            new(elements, IsMissing(tolerations, body)),
            new(pod.NodeSelector.IsObjectIn(body) ? nodeSelector : null, IsMissing(pod.NodeSelector, body)),
            new(pod.Annotations.IsObjectIn(body) ? annotations : null, IsMissing(pod.Annotations, body)));
    }

    private static bool IsMissing(Slot slot, ReadOnlySpan<byte> body) => !slot.Present || slot.IsNullIn(body);

    /// <summary>A section as sent: its list or map, or null for anything else; <paramref name="Missing"/> when
    /// it is absent or JSON null.</summary>
    internal readonly record struct Original<T>(T? Value, bool Missing)
        where T : class;
}
