using System.Buffers;

namespace Platform.Webhook.Admission;

/// <summary>Where the kept values lie in the body, and the one small JSON text written from them.</summary>
internal static partial class SparsePodReader
{
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

        public Slot[] LabelsKept { get; } = new Slot[SparsePodReader.LabelsKept.Length];

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
                    // Labels reduced to the three the classifier reads: a worker carries ten or more, and each
                    // one kept became a node in the pod and in the mutation's copy of it.
                    Members(text, SparsePodReader.LabelsKept, LabelsKept);
                }
                else
                {
                    Put(value);
                }
            }

            Put("}"u8);
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
