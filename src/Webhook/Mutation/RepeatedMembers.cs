using System.Runtime.InteropServices;
using System.Text.Json;

namespace Platform.Webhook.Mutation;

/// <summary>Finds a member name that repeats in the objects the core reads or patches. The API server serialises
/// every object it sends, so a repeated name means a client that is not the API server, and one the core might
/// read one way while the API server reads it another (or a node view could not be built); such a review is
/// refused. Objects the core never reads (a managed-fields entry, a probe, the status) are not its concern: the
/// patch never touches them and the API server judges them. The parser's own check of every object
/// (<c>AllowDuplicateProperties = false</c>) cost ~25 µs of a ~60 µs admission; this costs a few hundred
/// comparisons of name hashes in place. Each object is checked in one pass: pairwise while small, through a set
/// beyond that, so a 16,000-label pod is linear too.</summary>
internal static class RepeatedMembers
{
    /// <summary>Up to this many members, comparing every pair of name hashes beats a set of names (and allocates
    /// nothing). Names are compared as text: <c>"a"</c> and <c>"\u0061"</c> are the same name, so an object with an
    /// escaped name goes to the set, which decodes them.</summary>
    private const int PairwiseLimit = 64;

    /// <summary>The objects of a pod template the rules read or the patch is computed against: the template, its
    /// metadata with labels and annotations, the spec, its node selector, affinity, resource claims and
    /// tolerations, and every container with its resources and environment. A rule that comes to read another
    /// object adds it here. Returns "where repeats which name" for the first repeat, <paramref name="at"/> being
    /// the pointer of the element in its document, or null.</summary>
    public static string? InTemplate(JsonElement template, string at) => Describe(at, FindInTemplate(template));

    /// <summary>Every object in <paramref name="value"/> and below it (a Ray custom resource, whose templates lie
    /// anywhere in it). Returns "where repeats which name" for the first repeat, <paramref name="at"/> being
    /// the pointer of the element in its document, or null.</summary>
    public static string? InTree(JsonElement value, string at) => Describe(at, FindInTree(value));

    private static Repeat? FindInTemplate(JsonElement template)
    {
        if (Own(template) is { } own)
        {
            return own;
        }

        if (Member(template, "metadata") is { ValueKind: JsonValueKind.Object } metadata
            && (Own(metadata) ?? InMember(metadata, "labels") ?? InMember(metadata, "annotations")) is { } inMetadata)
        {
            return inMetadata.Under("metadata");
        }

        if (Member(template, "spec") is not { ValueKind: JsonValueKind.Object } spec)
        {
            return null;
        }

        return (Own(spec)
            ?? InMember(spec, "nodeSelector")
            ?? Under("affinity", FindInTree(Member(spec, "affinity")))
            ?? Under("resourceClaims", FindInTree(Member(spec, "resourceClaims")))
            ?? Under("tolerations", InItems(Member(spec, "tolerations"), static item => Own(item)))
            ?? Under("containers", InItems(Member(spec, "containers"), static container =>
                Own(container)
                ?? Under("resources", FindInTree(Member(container, "resources")))
                ?? Under("env", InItems(Member(container, "env"), static variable => Own(variable))))))?.Under("spec");
    }

    private static Repeat? FindInTree(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (Own(value) is { } own)
                {
                    return own;
                }

                foreach (var member in value.EnumerateObject())
                {
                    if (member.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array && FindInTree(member.Value) is { } found)
                    {
                        return found.Under(member.Name);
                    }
                }

                return null;
            case JsonValueKind.Array:
                return InItems(value, static item => item.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? FindInTree(item) : null);
            default:
                return null;
        }
    }

    /// <summary>The first member of the object <paramref name="o"/> whose name repeats, as "where repeats which
    /// name", or null (also for a non-object).</summary>
    public static string? InObject(JsonElement o, string at) => Describe(at, Own(o));

    private static string? RepeatedName(JsonElement o)
    {
        if (o.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // One pass hashes each raw name; the pairs are then compared as hashes, and only a pair whose hashes agree
        // is compared as names. Before, every pair was compared by walking the object again: 4 % of the server's
        // CPU per admission under load (perf, bench/webhook-profile.sh).
        Span<int> hashes = stackalloc int[PairwiseLimit];
        var count = 0;
        foreach (var member in o.EnumerateObject())
        {
            var name = JsonMarshal.GetRawUtf8PropertyName(member);
            if (count == PairwiseLimit || name.Contains((byte)'\\'))
            {
                return Hashed(o);
            }

            var hash = default(HashCode);
            hash.AddBytes(name);
            hashes[count++] = hash.ToHashCode();
        }

        for (var i = 1; i < count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (hashes[i] == hashes[j] && NameAt(o, i) is var later && NameAt(o, j).Equals(later, StringComparison.Ordinal))
                {
                    return later;
                }
            }
        }

        return null;
    }

    private static string NameAt(JsonElement o, int index)
    {
        var members = o.EnumerateObject();
        for (var i = 0; i <= index; i++)
        {
            members.MoveNext();
        }

        return members.Current.Name;
    }

    private static string? Hashed(JsonElement o)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in o.EnumerateObject())
        {
            if (!names.Add(member.Name))
            {
                return member.Name;
            }
        }

        return null;
    }

    private static Repeat? Own(JsonElement o) => RepeatedName(o) is { } name ? new Repeat(string.Empty, name) : null;

    private static Repeat? InMember(JsonElement o, string name) => Under(name, Own(Member(o, name)));

    private static Repeat? InItems(JsonElement list, Func<JsonElement, Repeat?> find)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (find(item) is { } found)
            {
                return found.Under(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            index++;
        }

        return null;
    }

    private static Repeat? Under(string segment, Repeat? found) => found?.Under(segment);

    /// <summary>A missing member reads as an undefined element, which every check passes.</summary>
    private static JsonElement Member(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var value) ? value : default;

    private static string? Describe(string at, Repeat? found) =>
        found is { } repeat ? $"{(at.Length + repeat.Pointer.Length == 0 ? "/" : at + repeat.Pointer)} repeats the member \"{repeat.Name}\"" : null;

    /// <summary>A repeated <paramref name="Name"/> in the object at <paramref name="Pointer"/>, relative to where the
    /// search began; the pointer is built only once a repeat is found.</summary>
    private readonly record struct Repeat(string Pointer, string Name)
    {
        public Repeat Under(string segment) => this with { Pointer = $"/{JsonPointer.Escape(segment)}{Pointer}" };
    }
}
