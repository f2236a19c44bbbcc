using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Platform.Webhook.Manifests;

/// <summary>
/// Types plain YAML scalars by the YAML 1.2 core schema (null, booleans, integers, floats; everything else a
/// string). Quoted scalars never come here: <c>"1"</c> and <c>'true'</c> stay strings, as Kubernetes expects for
/// label values and quantities written in quotes.
/// </summary>
internal static partial class YamlScalarResolver
{
    /// <summary>Returns the JSON value of a plain scalar, or throws <see cref="FormatException"/> for values JSON cannot hold.</summary>
    public static JsonNode? ResolvePlain(string text)
    {
        if (IsNull(text))
        {
            return null;
        }

        switch (text)
        {
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (DecimalInteger().IsMatch(text))
        {
            // JSON has no leading '+' or leading zeros: normalise through BigInteger so huge values keep every digit.
            var value = BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return JsonNode.Parse(value.ToString(CultureInfo.InvariantCulture));
        }

        if (OctalInteger().IsMatch(text))
        {
            var value = BigInteger.Zero;
            foreach (var digit in text.AsSpan(2))
            {
                value = (value * 8) + (digit - '0');
            }

            return JsonNode.Parse(value.ToString(CultureInfo.InvariantCulture));
        }

        if (HexInteger().IsMatch(text))
        {
            return JsonNode.Parse(BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        }

        if (Float().IsMatch(text))
        {
            // Keep the author's digits when they already are a JSON number ("0.5", "1e3"); otherwise normalise ("+.5", "1.").
            if (JsonNumber().IsMatch(text))
            {
                return JsonNode.Parse(text);
            }

            var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            return JsonNode.Parse(d.ToString("R", CultureInfo.InvariantCulture));
        }

        if (Infinity().IsMatch(text) || NotANumber().IsMatch(text))
        {
            throw new FormatException($"the value '{text}' is a YAML float that JSON cannot represent; quote it if it is meant as a string");
        }

        return JsonValue.Create(text);
    }

    /// <summary>True when a plain scalar with this text would NOT read back as the same string (YAML 1.2 core).</summary>
    public static bool ResolvesToNonString(string text) =>
        IsNull(text)
        || text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
        || DecimalInteger().IsMatch(text) || OctalInteger().IsMatch(text) || HexInteger().IsMatch(text)
        || Float().IsMatch(text) || Infinity().IsMatch(text) || NotANumber().IsMatch(text);

    private static bool IsNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^0o[0-7]+$")]
    private static partial Regex OctalInteger();

    [GeneratedRegex(@"^0x[0-9a-fA-F]+$")]
    private static partial Regex HexInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumber();

    [GeneratedRegex(@"^[-+]?\.(inf|Inf|INF)$")]
    private static partial Regex Infinity();

    [GeneratedRegex(@"^\.(nan|NaN|NAN)$")]
    private static partial Regex NotANumber();
}
