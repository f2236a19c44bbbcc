using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Platform.Webhook.Manifests;

/// <summary>
/// Writes a <see cref="JsonNode"/> as block-style YAML that reads back to the same JSON with
/// <see cref="ManifestReader"/>, kubectl and PyYAML alike: strings that a YAML 1.2 or YAML 1.1 reader would take for
/// something else ("true", "1", "yes", "0777", "1:20", "2024-01-01") are quoted, multi-line strings become literal blocks.
/// </summary>
internal static partial class YamlWriter
{
    private const int Indent = 2;

    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(node, sb);
        return sb.ToString();
    }

    /// <summary>Appends the document (always ending with a newline).</summary>
    public static void Write(JsonNode? node, StringBuilder sb)
    {
        ArgumentNullException.ThrowIfNull(sb);
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                WriteObject(obj, sb, 0);
                break;
            case JsonArray array when array.Count > 0:
                WriteArray(array, sb, 0);
                break;
            default:
                sb.Append(Inline(node, 0)).Append('\n');
                break;
        }
    }

    private static void WriteObject(JsonObject obj, StringBuilder sb, int indent)
    {
        foreach (var (key, value) in obj)
        {
            sb.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValueAfterKey(value, sb, indent);
        }
    }

    private static void WriteArray(JsonArray array, StringBuilder sb, int indent)
    {
        foreach (var item in array)
        {
            sb.Append(' ', indent).Append('-');
            switch (item)
            {
                case JsonObject obj when obj.Count > 0:
                    // "- key: value" with the rest of the mapping aligned under the first key.
                    var first = true;
                    foreach (var (key, value) in obj)
                    {
                        if (first)
                        {
                            sb.Append(' ');
                            first = false;
                        }
                        else
                        {
                            sb.Append(' ', indent + Indent);
                        }

                        sb.Append(Key(key)).Append(':');
                        WriteValueAfterKey(value, sb, indent + Indent);
                    }

                    break;
                case JsonArray inner when inner.Count > 0:
                    sb.Append('\n');
                    WriteArray(inner, sb, indent + Indent);
                    break;
                default:
                    sb.Append(' ').Append(Inline(item, indent + Indent)).Append('\n');
                    break;
            }
        }
    }

    private static void WriteValueAfterKey(JsonNode? value, StringBuilder sb, int indent)
    {
        switch (value)
        {
            case JsonObject obj when obj.Count > 0:
                sb.Append('\n');
                WriteObject(obj, sb, indent + Indent);
                break;
            case JsonArray array when array.Count > 0:
                sb.Append('\n');
                WriteArray(array, sb, indent + Indent);
                break;
            default:
                sb.Append(' ').Append(Inline(value, indent + Indent)).Append('\n');
                break;
        }
    }

    /// <summary>A scalar or an empty collection on the current line; block scalars continue on the next lines.</summary>
    private static string Inline(JsonNode? node, int blockIndent) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => StringScalar(value.GetValue<string>(), blockIndent),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            _ => value.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };

    private static string Key(string key) => IsSafePlain(key) ? key : DoubleQuoted(key);

    private static string StringScalar(string text, int blockIndent)
    {
        if (IsSafePlain(text))
        {
            return text;
        }

        if (CanBeLiteralBlock(text))
        {
            var chomp = text.EndsWith('\n') ? string.Empty : "-";
            var sb = new StringBuilder("|").Append(chomp);
            var body = chomp.Length == 0 ? text[..^1] : text;
            foreach (var line in body.Split('\n'))
            {
                sb.Append('\n');
                if (line.Length > 0)
                {
                    sb.Append(' ', Math.Max(blockIndent, Indent)).Append(line);
                }
            }

            return sb.ToString();
        }

        return DoubleQuoted(text);
    }

    private static bool CanBeLiteralBlock(string text)
    {
        if (!text.Contains('\n', StringComparison.Ordinal) || text.EndsWith("\n\n", StringComparison.Ordinal))
        {
            return false;
        }

        // A leading space on the first line would need an indentation indicator; quoting is simpler and exact.
        if (text[0] is ' ' or '\t' or '\n')
        {
            return false;
        }

        foreach (var c in text)
        {
            if ((char.IsControl(c) && c != '\n') || c is '\uFEFF' or '\u2028' or '\u2029' or '\u0085')
            {
                return false;
            }
        }

        // Trailing blanks on a line survive a literal block but not most editors; keep such strings exact in quotes.
        return !text.Contains(" \n", StringComparison.Ordinal) && !text.EndsWith(' ');
    }

    /// <summary>True when the string can be written plain and reads back as the same string under YAML 1.2 and 1.1.</summary>
    internal static bool IsSafePlain(string text)
    {
        if (text.Length == 0 || text != text.Trim() || YamlScalarResolver.ResolvesToNonString(text) || Yaml11NonString().IsMatch(text))
        {
            return false;
        }

        // Indicators that may not start a plain scalar. "-x" is fine ("-c", "--" in commands), "- x" and "---" are not.
        if ("?:,[]{}#&*!|>'\"%@`".Contains(text[0], StringComparison.Ordinal)
            || (text[0] == '-' && (text.Length == 1 || text[1] == ' ' || text.StartsWith("---", StringComparison.Ordinal))))
        {
            return false;
        }

        if (text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal) || text.EndsWith(':'))
        {
            return false;
        }

        foreach (var c in text)
        {
            // Control characters and line breaks need escapes; flow indicators inside a plain scalar are fine in
            // block context (the writer never emits flow collections with content).
            if (char.IsControl(c) || c is '\uFEFF' or '\u2028' or '\u2029' or '\u0085' || char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    internal static string DoubleQuoted(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (char.IsControl(c) || c is '\uFEFF' or '\u2028' or '\u2029' or '\u0085')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>YAML 1.1 booleans, nulls, sexagesimal and underscored numbers, timestamps, merge and value keys.</summary>
    [GeneratedRegex(
        @"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=|<<"
        + @"|[-+]?(0b[01_]+|0[0-7_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)"
        + @"|[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*"
        + @"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$")]
    private static partial Regex Yaml11NonString();
}
