using System.Buffers;
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
/// <para>The kept values are copied byte for byte into one small JSON text, parsed once: a single document
/// of ~2 KB instead of one per kept value, and nodes that materialise only what the mutation touches. When a
/// name repeats, the last one wins, as in a full parse.</para></summary>
internal static class SparsePodReader
{
    private static readonly byte[][] MetadataKept = [.. new[] { "labels", "annotations", "name", "generateName", "namespace" }.Select(Utf8)];
    private const int LabelsIndex = 0;
    private static readonly byte[][] SpecKept = [.. new[] { "tolerations", "nodeSelector", "affinity" }.Select(Utf8)];
    private static readonly byte[][] LabelsKept = [.. new[] { RayLabels.NodeType, RayLabels.Cluster, RayLabels.Group }.Select(Utf8)];
    private static readonly byte[][] ContainerKept = [.. new[] { "name", "resources", "args", "env", "command" }.Select(Utf8)];

    // Per-thread, reused: where each kept value lies in the body, and the sparse text built from them.
    [ThreadStatic]
    private static Layout? layout;

    /// <summary>Reads the object the scanner is before (<see cref="JsonScanner.PeekKind"/> said Object) and
    /// leaves the scanner after it.</summary>
    public static JsonObject Read(ref JsonScanner scanner)
    {
        var kept = layout ??= new Layout();
        kept.Reset();
        try
        {
            scanner.EnterObject();
            var first = true;
            while (scanner.NextProperty(ref first, out var name))
            {
                if (name.Is("metadata"u8))
                {
                    kept.Metadata = ReadKept(ref scanner, MetadataKept, kept.MetadataKept);
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

            return JsonNode.Parse(kept.Write(scanner.Text))!.AsObject();
        }
        finally
        {
            kept.Trim();
        }
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
        return pod;
    }

    public static string? Namespace(JsonObject? pod) => JsonRead.String(JsonRead.Object(pod, "metadata"), "namespace");

    private static Slot ReadSpec(ref JsonScanner scanner, Layout kept)
    {
        if (scanner.PeekKind() != JsonValueKind.Object)
        {
            return Skip(ref scanner);
        }

        var start = scanner.Position;
        Array.Clear(kept.SpecKept);
        kept.Containers = default;
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

    private static Slot ReadContainers(ref JsonScanner scanner, Layout kept)
    {
        kept.ContainerCount = 0;
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
    /// it is. Returns where the whole value lies.</summary>
    private static Slot ReadKept(ref JsonScanner scanner, byte[][] names, Span<Slot> slots)
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
                slots[i] = Skip(ref scanner);
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

    /// <summary>Where a value lies in the body; a JSON value is never empty, so length 0 means absent.</summary>
    private readonly record struct Slot(int Start, int Length)
    {
        public bool Present => Length > 0;

        public ReadOnlySpan<byte> In(ReadOnlySpan<byte> text) => text.Slice(Start, Length);

        public bool IsObjectIn(ReadOnlySpan<byte> text) => Present && text[Start] == (byte)'{';

        public bool IsArrayIn(ReadOnlySpan<byte> text) => Present && text[Start] == (byte)'[';
    }

    private sealed class Layout
    {
        // What a thread keeps between requests is bounded: a 3 MiB body of empty containers must not leave
        // megabytes behind on every thread-pool thread it ran on.
        private const int KeptContainers = 64;
        private const int KeptTextBytes = 64 * 1024;

        private readonly List<Slot[]> containers = [];
        private ArrayBufferWriter<byte> sparse = new(4096);

        public Slot Metadata { get; set; }

        public Slot[] MetadataKept { get; } = new Slot[SparsePodReader.MetadataKept.Length];

        public Slot Spec { get; set; }

        public Slot[] SpecKept { get; } = new Slot[SparsePodReader.SpecKept.Length];

        public Slot Containers { get; set; }

        public int ContainerCount { get; set; }

        public void Reset()
        {
            Metadata = default;
            Spec = default;
            Containers = default;
            ContainerCount = 0;
        }

        /// <summary>Drops what an unusually large pod made this thread's layout grow to.</summary>
        public void Trim()
        {
            if (containers.Count > KeptContainers)
            {
                containers.RemoveRange(KeptContainers, containers.Count - KeptContainers);
                containers.TrimExcess();
            }

            if (sparse.Capacity > KeptTextBytes)
            {
                sparse = new ArrayBufferWriter<byte>(4096);
            }
        }

        /// <summary>Slots of the next container: [0] the whole element, then one per kept member.</summary>
        public Slot[] NextContainer()
        {
            if (ContainerCount == containers.Count)
            {
                containers.Add(new Slot[1 + ContainerKept.Length]);
            }

            return containers[ContainerCount++];
        }

        /// <summary>The kept values as one JSON object at their original paths.</summary>
        public ReadOnlySpan<byte> Write(ReadOnlySpan<byte> text)
        {
            sparse.ResetWrittenCount();
            Put("{"u8);
            var comma = false;
            if (Metadata.Present)
            {
                Name(ref comma, "metadata"u8);
                if (Metadata.IsObjectIn(text))
                {
                    WriteMetadata(text);
                }
                else
                {
                    Put(Metadata.In(text));
                }
            }

            if (Spec.Present)
            {
                Name(ref comma, "spec"u8);
                if (Spec.IsObjectIn(text))
                {
                    WriteSpec(text);
                }
                else
                {
                    Put(Spec.In(text));
                }
            }

            Put("}"u8);
            return sparse.WrittenSpan;
        }

        private void WriteMetadata(ReadOnlySpan<byte> text)
        {
            Put("{"u8);
            var comma = false;
            for (var i = 0; i < MetadataKept.Length; i++)
            {
                if (!MetadataKept[i].Present)
                {
                    continue;
                }

                Name(ref comma, SparsePodReader.MetadataKept[i]);
                var value = MetadataKept[i].In(text);
                if (i == LabelsIndex && value[0] == (byte)'{')
                {
                    WriteLabels(value);
                }
                else
                {
                    Put(value);
                }
            }

            Put("}"u8);
        }

        /// <summary>Labels reduced to the three the classifier reads: a worker carries ten or more, and each one
        /// kept became a node in the pod and in both of the mutation's copies of it.</summary>
        private void WriteLabels(ReadOnlySpan<byte> labels)
        {
            Span<Slot> kept = stackalloc Slot[LabelsKept.Length];
            var scanner = new JsonScanner(labels);
            scanner.EnterObject();
            var first = true;
            while (scanner.NextProperty(ref first, out var name))
            {
                var start = scanner.SkipValue();
                if (Match(name, LabelsKept) is var i and >= 0)
                {
                    kept[i] = new Slot(start, scanner.Position - start);
                }
            }

            Members(labels, LabelsKept, kept);
        }

        private void WriteSpec(ReadOnlySpan<byte> text)
        {
            Put("{"u8);
            var comma = false;
            if (Containers.Present)
            {
                Name(ref comma, "containers"u8);
                if (Containers.IsArrayIn(text))
                {
                    Put("["u8);
                    for (var i = 0; i < ContainerCount; i++)
                    {
                        if (i > 0)
                        {
                            Put(","u8);
                        }

                        var container = containers[i];
                        if (container[0].IsObjectIn(text))
                        {
                            Members(text, ContainerKept, container.AsSpan(1));
                        }
                        else
                        {
                            Put(container[0].In(text));
                        }
                    }

                    Put("]"u8);
                }
                else
                {
                    Put(Containers.In(text));
                }
            }

            for (var i = 0; i < SpecKept.Length; i++)
            {
                if (SpecKept[i].Present)
                {
                    Name(ref comma, SparsePodReader.SpecKept[i]);
                    Put(SpecKept[i].In(text));
                }
            }

            Put("}"u8);
        }

        private void Members(ReadOnlySpan<byte> text, byte[][] names, ReadOnlySpan<Slot> slots)
        {
            Put("{"u8);
            var comma = false;
            for (var i = 0; i < names.Length; i++)
            {
                if (slots[i].Present)
                {
                    Name(ref comma, names[i]);
                    Put(slots[i].In(text));
                }
            }

            Put("}"u8);
        }

        private void Name(ref bool comma, ReadOnlySpan<byte> name)
        {
            if (comma)
            {
                Put(","u8);
            }

            comma = true;
            Put("\""u8);
            Put(name);
            Put("\":"u8);
        }

        private void Put(ReadOnlySpan<byte> bytes) => sparse.Write(bytes);
    }
}
