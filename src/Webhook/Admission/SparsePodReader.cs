using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Admission;

/// <summary>Reads a pod from <c>request.object</c> keeping, at their original paths and with their original
/// values, only what <see cref="PodMutator"/> reads or patches:
/// <list type="bullet">
/// <item><c>metadata.{name, generateName, namespace, annotations}</c>, annotations whole (the webhook writes
/// them), and of <c>metadata.labels</c> only the three it classifies by (it never writes labels);</item>
/// <item><c>spec.containers</c>: every element, in order (patch paths use the index), each container with its
/// <c>name, resources, args, command, env</c> whole;</item>
/// <item><c>spec.tolerations, spec.nodeSelector, spec.affinity</c> whole (affinity must be whole: a patch
/// computed without podAntiAffinity would add /spec/affinity and wipe it).</item>
/// </list>
/// Everything else (initContainers, volumes, probes, managedFields, status...) is skipped, validated but never
/// built. A kept member of any other JSON type than expected (a string spec, a null container) is kept as it
/// is, so the mutation meets the same shape and fails the same way as on the full pod. Each kept subtree is a
/// section that <see cref="PodChecker"/> checks whole, so the verification on the sparse pod sees every
/// touched section complete.
/// <para>What it returns is where each kept value lies in the body (<see cref="SparsePod"/>), nothing copied:
/// <see cref="SparseWorkerMutation"/> reads the common pods right there, and for the rest
/// <see cref="SparsePod.ToJsonObject"/> copies the kept values byte for byte into one small JSON text, parsed
/// once: a single document of ~2 KB instead of one per kept value, and nodes that materialise only what the
/// mutation touches. When a name repeats, the last one wins, as in a full parse.</para></summary>
internal static class SparsePodReader
{
    public const int LabelsIndex = 0;
    public const int AnnotationsIndex = 1;
    public const int NameIndex = 2;
    public const int GenerateNameIndex = 3;
    public const int NamespaceIndex = 4;
    public static readonly byte[][] MetadataKept = [.. new[] { "labels", "annotations", "name", "generateName", "namespace" }.Select(Utf8)];

    public const int TolerationsIndex = 0;
    public const int NodeSelectorIndex = 1;
    public static readonly byte[][] SpecKept = [.. new[] { "tolerations", "nodeSelector", "affinity" }.Select(Utf8)];

    public const int NodeTypeIndex = 0;
    public const int ClusterIndex = 1;
    public const int GroupIndex = 2;
    public static readonly byte[][] LabelsKept = [.. new[] { RayLabels.NodeType, RayLabels.Cluster, RayLabels.Group }.Select(Utf8)];

    /// <summary>After the whole element at [0] of a container's slots, these names from [1] on.</summary>
    public const int ContainerNameIndex = 1;
    public const int ContainerResourcesIndex = 2;
    public static readonly byte[][] ContainerKept = [.. new[] { "name", "resources", "args", "env", "command" }.Select(Utf8)];

    /// <summary>Reads the object the scanner is before (<see cref="JsonScanner.PeekKind"/> said Object) and
    /// leaves the scanner after it: where each kept value lies in <see cref="JsonScanner.Text"/>.</summary>
    public static SparsePod Read(ref JsonScanner scanner)
    {
        var kept = new SparsePod();
        scanner.EnterObject();
        var first = true;
        while (scanner.NextProperty(ref first, out var name))
        {
            if (name.Is("metadata"u8))
            {
                // Labels are read member by member in the same pass, keeping only the three the classifier reads.
                kept.Metadata = ReadKept(ref scanner, MetadataKept, kept.MetadataKept, (LabelsIndex, LabelsKept, kept.LabelsKept));
            }
            else if (name.Is("spec"u8))
            {
                kept.Spec = ReadSpec(ref scanner, kept);
            }
            else
            {
                scanner.SkipValue();
            }
        }

        return kept;
    }

    /// <summary>The sparse form of a whole pod document (what the handler would build from it).</summary>
    public static JsonObject Read(ReadOnlySpan<byte> podJson)
    {
        var scanner = new JsonScanner(podJson);
        if (scanner.PeekKind() != JsonValueKind.Object)
        {
            throw new JsonException("a pod must be a JSON object");
        }

        var pod = Read(ref scanner);
        scanner.EnsureEnd();
        return pod.ToJsonObject(podJson);
    }

    private static Slot ReadSpec(ref JsonScanner scanner, SparsePod kept)
    {
        if (scanner.PeekKind() != JsonValueKind.Object)
        {
            return Skip(ref scanner);
        }

        var start = scanner.Position;
        Array.Clear(kept.SpecKept);
        kept.Containers = default;
        kept.ClearContainers();
        scanner.EnterObject();
        var first = true;
        while (scanner.NextProperty(ref first, out var name))
        {
            if (name.Is("containers"u8))
            {
                kept.Containers = ReadContainers(ref scanner, kept);
            }
            else if (Match(name, SpecKept) is var i and >= 0)
            {
                kept.SpecKept[i] = Skip(ref scanner);
            }
            else
            {
                scanner.SkipValue();
            }
        }

        return new Slot(start, scanner.Position - start);
    }

    private static Slot ReadContainers(ref JsonScanner scanner, SparsePod kept)
    {
        kept.ClearContainers();
        if (scanner.PeekKind() != JsonValueKind.Array)
        {
            return Skip(ref scanner);
        }

        var start = scanner.Position;
        scanner.EnterArray();
        var first = true;
        while (scanner.NextElement(ref first))
        {
            var container = kept.NextContainer();
            container[0] = ReadKept(ref scanner, ContainerKept, container.AsSpan(1));
        }

        return new Slot(start, scanner.Position - start);
    }

    /// <summary>An object whose named members are kept into <paramref name="slots"/>; any other value is kept as
    /// it is. Returns where the whole value lies. The member at <paramref name="nested"/>'s index is itself read
    /// this way into the nested slots.</summary>
    private static Slot ReadKept(ref JsonScanner scanner, byte[][] names, Span<Slot> slots, (int Index, byte[][] Names, Slot[] Slots)? nested = null)
    {
        slots.Clear();
        if (scanner.PeekKind() != JsonValueKind.Object)
        {
            return Skip(ref scanner);
        }

        var start = scanner.Position;
        scanner.EnterObject();
        var first = true;
        while (scanner.NextProperty(ref first, out var name))
        {
            if (Match(name, names) is var i and >= 0)
            {
                slots[i] = nested is { } inner && inner.Index == i ? ReadKept(ref scanner, inner.Names, inner.Slots) : Skip(ref scanner);
            }
            else
            {
                scanner.SkipValue();
            }
        }

        return new Slot(start, scanner.Position - start);
    }

    private static int Match(JsonName name, byte[][] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (name.Is(names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static Slot Skip(ref JsonScanner scanner)
    {
        var start = scanner.SkipValue();
        return new Slot(start, scanner.Position - start);
    }

    private static byte[] Utf8(string name) => System.Text.Encoding.UTF8.GetBytes(name);
}
