using System.Buffers;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Admission;

/// <summary>Where a value lies in the body; a JSON value is never empty, so length 0 means absent.</summary>
internal readonly record struct Slot(int Start, int Length)
{
    public bool Present => Length > 0;

    public ReadOnlySpan<byte> In(ReadOnlySpan<byte> text) => text.Slice(Start, Length);

    public bool IsObjectIn(ReadOnlySpan<byte> text) => Present && text[Start] == (byte)'{';

    public bool IsArrayIn(ReadOnlySpan<byte> text) => Present && text[Start] == (byte)'[';

    public bool IsNullIn(ReadOnlySpan<byte> text) => Present && text[Start] == (byte)'n';

    public bool IsStringIn(ReadOnlySpan<byte> text) => Present && text[Start] == (byte)'"';

    /// <summary>The value decoded when it is a JSON string; null when absent or of another type.</summary>
    public string? StringIn(ReadOnlySpan<byte> text)
    {
        if (!IsStringIn(text))
        {
            return null;
        }

        var quoted = In(text);
        if (quoted.IndexOf((byte)'\\') < 0)
        {
            return System.Text.Encoding.UTF8.GetString(quoted[1..^1]);
        }

        var reader = new System.Text.Json.Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString();
    }
}

/// <summary>One pod of one AdmissionReview as <see cref="SparsePodReader"/> found it: where each value the
/// mutation reads or patches lies in the body, nothing copied. It is read against the same body it was found
/// in: member by member (<see cref="Admission.SparseWorkerMutation"/>), or written out as one small JSON text
/// and parsed into the sparse <see cref="JsonObject"/> (<see cref="ToJsonObject"/>).</summary>
internal sealed class SparsePod
{
    // What a thread keeps between requests is bounded: a 3 MiB body of many containers must not leave megabytes
    // of sparse text behind on every thread-pool thread it ran on.
    private const int KeptTextBytes = 64 * 1024;

    // Per-thread, reused: the sparse text is parsed (and so copied) as soon as it is written.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? sparseText;

    private readonly List<Slot[]> containers = [];

    public Slot Metadata { get; set; }

    /// <summary>One slot per name of <see cref="SparsePodReader.MetadataKept"/>.</summary>
    public Slot[] MetadataKept { get; } = new Slot[SparsePodReader.MetadataKept.Length];

    /// <summary>One slot per name of <see cref="SparsePodReader.LabelsKept"/>.</summary>
    public Slot[] LabelsKept { get; } = new Slot[SparsePodReader.LabelsKept.Length];

    public Slot Spec { get; set; }

    /// <summary>One slot per name of <see cref="SparsePodReader.SpecKept"/>.</summary>
    public Slot[] SpecKept { get; } = new Slot[SparsePodReader.SpecKept.Length];

    public Slot Containers { get; set; }

    public int ContainerCount => containers.Count;

    public Slot Labels => MetadataKept[SparsePodReader.LabelsIndex];

    public Slot Annotations => MetadataKept[SparsePodReader.AnnotationsIndex];

    public Slot Tolerations => SpecKept[SparsePodReader.TolerationsIndex];

    public Slot NodeSelector => SpecKept[SparsePodReader.NodeSelectorIndex];

    /// <summary>The slots of container <paramref name="index"/>: [0] the whole element, then one per name of
    /// <see cref="SparsePodReader.ContainerKept"/>.</summary>
    public ReadOnlySpan<Slot> Container(int index) => containers[index];

    /// <summary>Slots of the next container: [0] the whole element, then one per kept member.</summary>
    public Slot[] NextContainer()
    {
        var slots = new Slot[1 + SparsePodReader.ContainerKept.Length];
        containers.Add(slots);
        return slots;
    }

    /// <summary>Forgets the containers read so far (a repeated <c>containers</c> member: the last one wins).</summary>
    public void ClearContainers() => containers.Clear();

    /// <summary>The kept values as one JSON object at their original paths, parsed: a single document of ~2 KB
    /// whose nodes materialise only where they are read.</summary>
    public JsonObject ToJsonObject(ReadOnlySpan<byte> body)
    {
        var sparse = sparseText ??= new ArrayBufferWriter<byte>(4096);
        try
        {
            sparse.ResetWrittenCount();
            Write(sparse, body);
            return JsonNode.Parse(sparse.WrittenSpan)!.AsObject();
        }
        finally
        {
            if (sparse.Capacity > KeptTextBytes)
            {
                sparseText = null;
            }
        }
    }

    private void Write(ArrayBufferWriter<byte> sparse, ReadOnlySpan<byte> text)
    {
        Put(sparse, "{"u8);
        var comma = false;
        if (Metadata.Present)
        {
            Name(sparse, ref comma, "metadata"u8);
            if (Metadata.IsObjectIn(text))
            {
                WriteMetadata(sparse, text);
            }
            else
            {
                Put(sparse, Metadata.In(text));
            }
        }

        if (Spec.Present)
        {
            Name(sparse, ref comma, "spec"u8);
            if (Spec.IsObjectIn(text))
            {
                WriteSpec(sparse, text);
            }
            else
            {
                Put(sparse, Spec.In(text));
            }
        }

        Put(sparse, "}"u8);
    }

    private void WriteMetadata(ArrayBufferWriter<byte> sparse, ReadOnlySpan<byte> text)
    {
        Put(sparse, "{"u8);
        var comma = false;
        for (var i = 0; i < MetadataKept.Length; i++)
        {
            if (!MetadataKept[i].Present)
            {
                continue;
            }

            Name(sparse, ref comma, SparsePodReader.MetadataKept[i]);
            var value = MetadataKept[i].In(text);
            if (i == SparsePodReader.LabelsIndex && value[0] == (byte)'{')
            {
                // Labels reduced to the three the classifier reads: a worker carries ten or more, and each
                // one kept became a node in the pod and in the mutation's copy of it.
                Members(sparse, text, SparsePodReader.LabelsKept, LabelsKept);
            }
            else
            {
                Put(sparse, value);
            }
        }

        Put(sparse, "}"u8);
    }

    private void WriteSpec(ArrayBufferWriter<byte> sparse, ReadOnlySpan<byte> text)
    {
        Put(sparse, "{"u8);
        var comma = false;
        if (Containers.Present)
        {
            Name(sparse, ref comma, "containers"u8);
            if (Containers.IsArrayIn(text))
            {
                Put(sparse, "["u8);
                for (var i = 0; i < containers.Count; i++)
                {
                    if (i > 0)
                    {
                        Put(sparse, ","u8);
                    }

                    var container = containers[i];
                    if (container[0].IsObjectIn(text))
                    {
                        Members(sparse, text, SparsePodReader.ContainerKept, container.AsSpan(1));
                    }
                    else
                    {
                        Put(sparse, container[0].In(text));
                    }
                }

                Put(sparse, "]"u8);
            }
            else
            {
                Put(sparse, Containers.In(text));
            }
        }

        for (var i = 0; i < SpecKept.Length; i++)
        {
            if (SpecKept[i].Present)
            {
                Name(sparse, ref comma, SparsePodReader.SpecKept[i]);
                Put(sparse, SpecKept[i].In(text));
            }
        }

        Put(sparse, "}"u8);
    }

    private static void Members(ArrayBufferWriter<byte> sparse, ReadOnlySpan<byte> text, byte[][] names, ReadOnlySpan<Slot> slots)
    {
        Put(sparse, "{"u8);
        var comma = false;
        for (var i = 0; i < names.Length; i++)
        {
            if (slots[i].Present)
            {
                Name(sparse, ref comma, names[i]);
                Put(sparse, slots[i].In(text));
            }
        }

        Put(sparse, "}"u8);
    }

    private static void Name(ArrayBufferWriter<byte> sparse, ref bool comma, ReadOnlySpan<byte> name)
    {
        if (comma)
        {
            Put(sparse, ","u8);
        }

        comma = true;
        Put(sparse, "\""u8);
        Put(sparse, name);
        Put(sparse, "\":"u8);
    }

    private static void Put(ArrayBufferWriter<byte> sparse, ReadOnlySpan<byte> bytes) => sparse.Write(bytes);
}
