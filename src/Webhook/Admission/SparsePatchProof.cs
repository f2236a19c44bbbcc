using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Admission;

/// <summary>Proves <see cref="SparseWorkerMutation"/>'s patch the way <see cref="PodMutator"/> proves its own, on
/// the body instead of a <see cref="JsonNode"/>: each operation is applied in order, as strictly as
/// <see cref="JsonPatchApplier"/> applies it (a missing parent or an index past the end does not apply), to the
/// section it touches as the API server sent it; then every touched section is checked with
/// <see cref="PodChecker"/>'s rules for it: tolerations a list of objects whose fields a core/v1 Toleration
/// can hold, no two the same; nodeSelector and annotations maps of strings. It knows only the three sections
/// that mutation touches; an operation anywhere else does not prove, and the handler then takes the general
/// path. When a rule of <see cref="PodChecker"/> for these sections changes, this class changes with it
/// (<c>SparsePodEquivalenceTests</c> compares the two paths' decisions on every shape they list).</summary>
internal static class SparsePatchProof
{
    private const string TolerationsPath = "/spec/tolerations";
    private const string NodeSelectorPath = "/spec/nodeSelector";
    private const string AnnotationsPath = "/metadata/annotations";

    public static bool Holds(IReadOnlyList<JsonPatchOperation> patch, SparseSections pod, ReadOnlySpan<byte> body)
    {
        Section? tolerations = null;
        Section? nodeSelector = null;
        Section? annotations = null;
        foreach (var op in patch)
        {
            bool applied;
            if (Under(op.Path, TolerationsPath, out var rest))
            {
                tolerations ??= Section.List(pod.Tolerations);
                applied = tolerations.Apply(op, rest, body);
            }
            else if (Under(op.Path, NodeSelectorPath, out rest))
            {
                nodeSelector ??= Section.Map(pod.NodeSelector, body);
                applied = nodeSelector.Apply(op, rest, body);
            }
            else if (Under(op.Path, AnnotationsPath, out rest))
            {
                annotations ??= Section.Map(pod.Annotations, body);
                applied = annotations.Apply(op, rest, body);
            }
            else
            {
                applied = false;
            }

            if (!applied)
            {
                return false;
            }
        }

        return (tolerations?.IsValidTolerationList() ?? true) && (nodeSelector?.IsStringMap() ?? true) && (annotations?.IsStringMap() ?? true);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="section"/> itself (<paramref name="rest"/> null)
    /// or one segment below it (<paramref name="rest"/> that segment, unescaped).</summary>
    private static bool Under(string path, string section, out string? rest)
    {
        rest = null;
        if (!path.StartsWith(section, StringComparison.Ordinal))
        {
            return false;
        }

        if (path.Length == section.Length)
        {
            return true;
        }

        if (path[section.Length] != '/' || path.IndexOf('/', section.Length + 1) >= 0)
        {
            return false;
        }

        rest = JsonPointer.Unescape(path[(section.Length + 1)..]);
        return true;
    }

    /// <summary>One section of the pod as the patch leaves it: a list, a map, or neither (missing, null or
    /// another JSON value). A list holds each element's toleration reading (null: not an object, or
    /// unreadable); a map each member's name (from the body, or from the patch) and whether its value is a
    /// string.</summary>
    private sealed class Section
    {
        private List<SparseToleration?>? list;
        private List<(Slot Name, string? Added, bool IsString)>? map;

        public static Section List(SparseSections.Original<List<SparseToleration?>> original) =>
            new() { list = original.Value is null ? null : [.. original.Value] };

        public static Section Map(SparseSections.Original<SlotMembers> original, ReadOnlySpan<byte> body)
        {
            var section = new Section();
            if (original.Value is { } members)
            {
                section.map = new(members.All.Count + 1);
                foreach (var (name, value) in members.All)
                {
                    section.map.Add((name, null, value.IsStringIn(body)));
                }
            }

            return section;
        }

        /// <summary>Applies <paramref name="op"/>, whose path is the section's followed by
        /// <paramref name="rest"/> (null: the section itself).</summary>
        public bool Apply(JsonPatchOperation op, string? rest, ReadOnlySpan<byte> body)
        {
            if (rest is null)
            {
                // The whole section, added over whatever was there (RFC 6902 add on an object member).
                if (op.Op != JsonPatchOperation.AddOp || op.Value is null)
                {
                    return false;
                }

                list = op.Value is JsonArray array ? [.. array.Select(SparseToleration.Read)] : null;
                map = op.Value is JsonObject o ? [.. o.Select(m => (default(Slot), (string?)m.Key, IsString(m.Value)))] : null;
                return true;
            }

            if (list is not null && op.Op == JsonPatchOperation.AddOp)
            {
                var at = rest == "-" ? list.Count : Index(rest, list.Count);
                if (at < 0)
                {
                    return false;
                }

                list.Insert(at, SparseToleration.Read(op.Value));
                return true;
            }

            if (map is null || op.Op is not (JsonPatchOperation.AddOp or JsonPatchOperation.ReplaceOp))
            {
                return false;
            }

            var i = IndexOf(rest, body);
            if (i < 0 && op.Op == JsonPatchOperation.ReplaceOp)
            {
                return false;
            }

            if (i < 0)
            {
                map.Add((default, rest, IsString(op.Value)));
            }
            else
            {
                map[i] = (default, rest, IsString(op.Value));
            }

            return true;
        }

        public bool IsValidTolerationList()
        {
            if (list is null)
            {
                return false;
            }

            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is not { FieldsValid: true } toleration)
                {
                    return false;
                }

                for (var j = 0; j < i; j++)
                {
                    if (toleration.SameIdentity(list[j]!))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        public bool IsStringMap() => map is not null && map.TrueForAll(m => m.IsString);

        private int IndexOf(string name, ReadOnlySpan<byte> body)
        {
            Span<byte> utf8 = name.Length <= 256 ? stackalloc byte[name.Length * 3] : new byte[name.Length * 3];
            utf8 = utf8[..System.Text.Encoding.UTF8.GetBytes(name, utf8)];
            for (var i = 0; i < map!.Count; i++)
            {
                if (map[i].Added is { } added ? added == name : map[i].Name.In(body).SequenceEqual(utf8))
                {
                    return i;
                }
            }

            return -1;
        }

        private static bool IsString(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String;

        /// <summary>An array index for add, as <see cref="JsonPatchApplier"/> reads it: 0 to
        /// <paramref name="count"/>; -1 when it is not one.</summary>
        private static int Index(string segment, int count) =>
            int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= count ? index : -1;
    }
}
