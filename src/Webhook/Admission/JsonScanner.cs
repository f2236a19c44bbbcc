using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Platform.Webhook.Admission;

/// <summary>A forward-only cursor over a UTF-8 JSON document that validates every byte it passes, read or
/// skipped, against RFC 8259 with <see cref="Utf8JsonReader"/>'s default rules (no comments, no trailing
/// commas, at most 64 nested objects and arrays), and allocates nothing. An admission body is ~10 KB of which
/// the webhook reads ~2 KB, so skipping dominates: <see cref="SkipValue"/> checks a value's grammar in one
/// loop over locals, where the reader surfaces every token to its caller. Invalid input throws
/// <see cref="JsonException"/> naming the byte offset.</summary>
internal ref partial struct JsonScanner
{
    /// <summary>Utf8JsonReader's default <see cref="JsonReaderOptions.MaxDepth"/>.</summary>
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> json;
    private int pos;
    private int depth;
    private int nameStart;

    // Bit d-1 is set when the container at depth d is an object, clear when it is an array.
    private ulong objectBits;

    /// <summary>Starts at the beginning of <paramref name="utf8Json"/>. Text that is not UTF-8 is refused here,
    /// once for the whole document, so the grammar only has to look at ASCII.</summary>
    public JsonScanner(ReadOnlySpan<byte> utf8Json)
        : this(utf8Json, checkUtf8: true)
    {
    }

    private JsonScanner(ReadOnlySpan<byte> utf8Json, bool checkUtf8)
    {
        if (checkUtf8 && !Utf8.IsValid(utf8Json))
        {
            throw new JsonException("the text is not valid UTF-8.");
        }

        json = utf8Json;
    }

    /// <summary>A scanner over <paramref name="value"/>, one value of a text a scanner has already read whole
    /// (and so checked): the UTF-8 check is not repeated.</summary>
    public static JsonScanner OverReadValue(ReadOnlySpan<byte> value) => new(value, checkUtf8: false);

    /// <summary>The whole text the scanner reads.</summary>
    public readonly ReadOnlySpan<byte> Text => json;

    public readonly int Position => pos;

    /// <summary>Where the name <see cref="NextProperty"/> returned last starts (its opening quote).</summary>
    public readonly int NameStart => nameStart;

    /// <summary>The kind of the next value (after whitespace), without consuming it.</summary>
    public JsonValueKind PeekKind()
    {
        pos = SkipWhitespace(json, pos);
        return At(json, pos) switch
        {
            (byte)'{' => JsonValueKind.Object,
            (byte)'[' => JsonValueKind.Array,
            (byte)'"' => JsonValueKind.String,
            (byte)'t' => JsonValueKind.True,
            (byte)'f' => JsonValueKind.False,
            (byte)'n' => JsonValueKind.Null,
            (byte)'-' or (>= (byte)'0' and <= (byte)'9') => JsonValueKind.Number,
            _ => throw Error(json, pos, "expected a value"),
        };
    }

    /// <summary>Consumes the '{' of the next value, which <see cref="PeekKind"/> said is an object.</summary>
    public void EnterObject() => Enter(isObject: true);

    /// <summary>Consumes the '[' of the next value, which <see cref="PeekKind"/> said is an array.</summary>
    public void EnterArray() => Enter(isObject: false);

    /// <summary>Moves to the next member of the object entered last: true with its name and the cursor before
    /// its value, or false after the closing '}'. <paramref name="first"/> starts true for each object.</summary>
    public bool NextProperty(ref bool first, out JsonName name)
    {
        pos = SkipWhitespace(json, pos);
        if (At(json, pos) == (byte)'}')
        {
            pos++;
            depth--;
            name = default;
            return false;
        }

        if (!first)
        {
            pos = SkipWhitespace(json, Expect(json, pos, (byte)',', "expected ',' or '}' after a property value"));
        }

        first = false;
        if (At(json, pos) != (byte)'"')
        {
            throw Error(json, pos, "expected a property name in double quotes");
        }

        var end = StringEnd(json, pos, out var escaped);
        nameStart = pos;
        name = new JsonName(json[pos..end], escaped);
        pos = AfterName(json, end);
        return true;
    }

    /// <summary>Moves to the next element of the array entered last: true with the cursor before it, or false
    /// after the closing ']'. <paramref name="first"/> starts true for each array.</summary>
    public bool NextElement(ref bool first)
    {
        pos = SkipWhitespace(json, pos);
        if (At(json, pos) == (byte)']')
        {
            pos++;
            depth--;
            return false;
        }

        if (!first)
        {
            pos = Expect(json, pos, (byte)',', "expected ',' or ']' after an array element");
        }

        first = false;
        return true;
    }

    /// <summary>The next value when it is a string; any other value is skipped and reads as null.</summary>
    public string? StringOrNull()
    {
        if (PeekKind() != JsonValueKind.String)
        {
            SkipValue();
            return null;
        }

        var start = pos;
        pos = StringEnd(json, pos, out var escaped);
        return Decode(json[start..pos], escaped);
    }

    /// <summary>Skips the next value, validating all of it; returns the offset where it starts in
    /// <see cref="Text"/> (it ends at <see cref="Position"/>).</summary>
    public int SkipValue()
    {
        // Locals, not fields, in the loop: the JIT keeps them in registers.
        var text = json;
        var p = SkipWhitespace(text, pos);
        var d = depth;
        var bits = objectBits;
        var start = p;
        var outer = d;
        while (true)
        {
            // A value starts at p.
            var b = At(text, p);
            if (b == (byte)'"')
            {
                p = StringEnd(text, p, out _);
            }
            else if (b is (byte)'{' or (byte)'[')
            {
                if (d >= MaxDepth)
                {
                    throw Error(text, p, $"more than {MaxDepth} nested objects and arrays");
                }

                var isObject = b == (byte)'{';
                bits = isObject ? bits | (1UL << d) : bits & ~(1UL << d);
                d++;
                p = SkipWhitespace(text, p + 1);
                if (At(text, p) != (isObject ? (byte)'}' : (byte)']'))
                {
                    p = isObject ? Name(text, p, out _) : p;
                    continue;
                }

                p++;
                d--;
            }
            else
            {
                p = Scalar(text, p, b);
            }

            // A value ended: close containers until one goes on with ','.
            while (d > outer)
            {
                p = SkipWhitespace(text, p);
                b = At(text, p);
                var inObject = (bits & (1UL << (d - 1))) != 0;
                if (b == (byte)',')
                {
                    p = SkipWhitespace(text, p + 1);
                    p = inObject ? Name(text, p, out _) : p;
                    break;
                }

                if (b != (inObject ? (byte)'}' : (byte)']'))
                {
                    throw Error(text, p, inObject ? "expected ',' or '}' after a property value" : "expected ',' or ']' after an array element");
                }

                p++;
                d--;
            }

            if (d == outer)
            {
                pos = p;
                return start;
            }
        }
    }

    /// <summary>Nothing but whitespace may follow the root value.</summary>
    public void EnsureEnd()
    {
        pos = SkipWhitespace(json, pos);
        if (pos < json.Length)
        {
            throw Error(json, pos, "more than one value: only whitespace may follow the root value");
        }
    }

    private void Enter(bool isObject)
    {
        if (depth >= MaxDepth)
        {
            throw Error(json, pos, $"more than {MaxDepth} nested objects and arrays");
        }

        objectBits = isObject ? objectBits | (1UL << depth) : objectBits & ~(1UL << depth);
        depth++;
        pos++;
    }

    private static string Decode(ReadOnlySpan<byte> quoted, bool escaped)
    {
        if (!escaped)
        {
            return Encoding.UTF8.GetString(quoted[1..^1]);
        }

        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }
}
