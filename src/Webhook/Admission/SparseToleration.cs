using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Admission;

/// <summary>A toleration as the mutation and its check read it: the text of key, operator, value and effect
/// (null for "no text": missing, not a string, or empty, as <see cref="JsonRead.TextEquals"/> reads them),
/// and whether its fields have the types a core/v1 Toleration can hold (<see cref="PodChecker"/>'s rule).</summary>
internal sealed record SparseToleration(string? Key, string? Operator, string? Value, string? Effect, bool FieldsValid)
{
    private const string Equal = "Equal";

    private static readonly byte[][] Names = [.. new[] { "key", "operator", "value", "effect", "tolerationSeconds" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>The toleration the policy adds, as its <see cref="Toleration.ToJson"/> reads.</summary>
    public static SparseToleration Of(Toleration toleration) =>
        new(Text(toleration.Key), toleration.NormalizedOperator, Text(toleration.Value), Text(toleration.Effect), true);

    /// <summary>The element at <paramref name="slot"/>; null when it is not an object or has a repeated or
    /// escaped name.</summary>
    public static SparseToleration? Read(ReadOnlySpan<byte> body, Slot slot)
    {
        if (!slot.IsObjectIn(body) || SlotReader.Object(body, slot, Names) is not { } fields)
        {
            return null;
        }

        var valid = true;
        for (var i = 0; i < 4; i++)
        {
            valid &= !fields.Values[i].Present || fields.Values[i].IsStringIn(body) || fields.Values[i].IsNullIn(body);
        }

        var seconds = fields.Values[4];
        valid &= !seconds.Present || seconds.IsNullIn(body) || IsInt64(seconds.In(body));
        return new SparseToleration(
            Text(fields.Values[0].StringIn(body)),
            Text(fields.Values[1].StringIn(body)),
            Text(fields.Values[2].StringIn(body)),
            Text(fields.Values[3].StringIn(body)),
            valid);
    }

    /// <summary>A value a patch operation carries; null when it is not an object.</summary>
    public static SparseToleration? Read(JsonNode? node)
    {
        if (node is not JsonObject toleration)
        {
            return null;
        }

        return new SparseToleration(
            Text(JsonRead.String(toleration, "key")),
            Text(JsonRead.String(toleration, "operator")),
            Text(JsonRead.String(toleration, "value")),
            Text(JsonRead.String(toleration, "effect")),
            PodChecker.CheckTolerationFields(toleration) is null);
    }

    /// <summary><see cref="Toleration.SameAs"/>: this element already tolerates what <paramref name="toleration"/> does.</summary>
    public bool SameAs(Toleration toleration) =>
        Key == Text(toleration.Key) && (Operator ?? Equal) == toleration.NormalizedOperator
        && Value == Text(toleration.Value) && Effect == Text(toleration.Effect);

    /// <summary><see cref="Toleration.SameIdentity"/>: the two are the same toleration (an empty operator is Equal).</summary>
    public bool SameIdentity(SparseToleration other) =>
        Key == other.Key && (Operator ?? Equal) == (other.Operator ?? Equal) && Value == other.Value && Effect == other.Effect;

    /// <summary>A JSON number that is an integer a long holds, as <see cref="JsonElement.TryGetInt64"/> reads it.</summary>
    private static bool IsInt64(ReadOnlySpan<byte> number) =>
        number.Length > 0 && number[0] != (byte)'"' && Utf8Parser.TryParse(number, out long _, out var used) && used == number.Length;

    private static string? Text(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
