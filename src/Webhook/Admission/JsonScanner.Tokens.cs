using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace Platform.Webhook.Admission;

/// <summary>The token rules of <see cref="JsonScanner"/>: static functions from a position in the text to the
/// position after a token, so the skipping loop keeps its position in a register. Each throws
/// <see cref="JsonException"/> where the text breaks its rule.</summary>
internal ref partial struct JsonScanner
{
    /// <summary>A member name at <paramref name="p"/>, then ':' and the whitespace before the value; returns
    /// where the value starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Name(ReadOnlySpan<byte> text, int p, out bool escaped)
    {
        if (At(text, p) != (byte)'"')
        {
            throw Error(text, p, "expected a property name in double quotes");
        }

        return AfterName(text, StringEnd(text, p, out escaped));
    }

    /// <summary>From the end of a member name: ':' and whitespace; returns where the value starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AfterName(ReadOnlySpan<byte> text, int p) =>
        SkipWhitespace(text, Expect(text, SkipWhitespace(text, p), (byte)':', "expected ':' after a property name"));

    /// <summary>From the opening quote at <paramref name="p"/>: just past the closing one.</summary>
    private static int StringEnd(ReadOnlySpan<byte> text, int p, out bool escaped)
    {
        p++;
        escaped = false;
        while (true)
        {
            p = StringRun(text, p);
            var b = At(text, p);
            if (b == (byte)'"')
            {
                return p + 1;
            }

            if (b != (byte)'\\')
            {
                throw Error(text, p, p >= text.Length ? "a string is not closed" : "a control character must be escaped inside a string");
            }

            escaped = true;
            p = Escape(text, p);
        }
    }

    /// <summary>The first quote, backslash or control character at or after <paramref name="p"/>, or the end.
    /// Most strings in a pod are short names, so 16 bytes are tested at a time inline: a library search call
    /// costs more than the short string it scans.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StringRun(ReadOnlySpan<byte> text, int p)
    {
        ref var origin = ref MemoryMarshal.GetReference(text);
        if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)' ');
            while (p <= text.Length - Vector128<byte>.Count)
            {
                var chunk = Vector128.LoadUnsafe(ref origin, (nuint)p);
                var stops = Vector128.Equals(chunk, quote) | Vector128.Equals(chunk, backslash) | Vector128.LessThan(chunk, space);
                if (stops != Vector128<byte>.Zero)
                {
                    return p + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                }

                p += Vector128<byte>.Count;
            }
        }

        while (p < text.Length && Unsafe.Add(ref origin, p) is not ((byte)'"' or (byte)'\\' or < (byte)' '))
        {
            p++;
        }

        return p;
    }

    /// <summary>The escape sequence at the backslash at <paramref name="p"/>; returns where it ends.</summary>
    private static int Escape(ReadOnlySpan<byte> text, int p)
    {
        switch (At(text, p + 1))
        {
            case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                return p + 2;
            case (byte)'u':
                for (var i = p + 2; i < p + 6; i++)
                {
                    if (!IsHex(At(text, i)))
                    {
                        throw Error(text, i, "\\u must be followed by four hexadecimal digits");
                    }
                }

                return p + 6;
            case 0 when p + 1 >= text.Length:
                throw Error(text, p + 1, "a string is not closed");
            default:
                throw Error(text, p + 1, "not a valid escape sequence");
        }
    }

    /// <summary>A literal or a number starting with <paramref name="b"/> at <paramref name="p"/>; what follows
    /// it is checked by the caller.</summary>
    private static int Scalar(ReadOnlySpan<byte> text, int p, byte b)
    {
        ReadOnlySpan<byte> literal = b switch
        {
            (byte)'t' => "true"u8,
            (byte)'f' => "false"u8,
            (byte)'n' => "null"u8,
            _ => default,
        };
        if (!literal.IsEmpty)
        {
            return text[p..].StartsWith(literal) ? p + literal.Length : throw Error(text, p, "expected a value");
        }

        // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        if (b == (byte)'-')
        {
            p++;
        }

        b = At(text, p);
        if (b == (byte)'0')
        {
            p++;
        }
        else if (IsDigit(b))
        {
            p = Digits(text, p);
        }
        else
        {
            throw Error(text, p, "expected a value");
        }

        if (At(text, p) == (byte)'.')
        {
            p = RequireDigits(text, p + 1, "expected a digit after the decimal point");
        }

        if (At(text, p) is (byte)'e' or (byte)'E')
        {
            p++;
            if (At(text, p) is (byte)'+' or (byte)'-')
            {
                p++;
            }

            p = RequireDigits(text, p, "expected a digit in the exponent");
        }

        return p;
    }

    private static int RequireDigits(ReadOnlySpan<byte> text, int p, string message) =>
        IsDigit(At(text, p)) ? Digits(text, p) : throw Error(text, p, message);

    private static int Digits(ReadOnlySpan<byte> text, int p)
    {
        while (IsDigit(At(text, p)))
        {
            p++;
        }

        return p;
    }

    /// <summary>Past any whitespace. The apiserver sends compact JSON, so the common answer is "none here",
    /// decided by one comparison: every JSON whitespace byte is at most ' '.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> text, int p)
    {
        if ((uint)p < (uint)text.Length && text[p] > (byte)' ')
        {
            return p;
        }

        return SkipWhitespaceRun(text, p);
    }

    private static int SkipWhitespaceRun(ReadOnlySpan<byte> text, int p)
    {
        while ((uint)p < (uint)text.Length && text[p] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            p++;
        }

        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Expect(ReadOnlySpan<byte> text, int p, byte expected, string message) =>
        At(text, p) == expected ? p + 1 : throw Error(text, p, message);

    /// <summary>The byte at <paramref name="p"/>, or 0 past the end: no rule accepts 0 (it is a control
    /// character, invalid outside strings and unescaped inside them), so the end fails where a byte was due.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte At(ReadOnlySpan<byte> text, int p) => (uint)p < (uint)text.Length ? text[p] : (byte)0;

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 5;

    private static JsonException Error(ReadOnlySpan<byte> text, int p, string message)
    {
        var found = p < text.Length ? $"'{(char)text[p]}'" : "the end of the text";
        return new JsonException($"{message} (found {found} at byte {p}).");
    }
}
