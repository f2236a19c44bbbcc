using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Platform.Webhook.Manifests;

/// <summary>
/// Writes a <see cref="JsonNode"/> as block-style YAML through YamlDotNet's emitter, which owns the syntax (indicators,
/// escapes, indentation). What the emitter cannot know is how a reader will type a plain scalar: strings that a YAML
/// 1.2 or YAML 1.1 reader (kubectl, PyYAML) would take for something else ("true", "1", "yes", "0777", "1:20",
/// "2024-01-01", "~") are written quoted, and multi-line strings as literal blocks. The output reads back to the same
/// JSON with <see cref="ManifestReader"/>.
/// </summary>
internal static partial class YamlWriter
{
    private static readonly EmitterSettings Settings = new(
        bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024, skipAnchorName: false, indentSequences: true, newLine: "\n");

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
        using var writer = new StringWriter(sb, CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, Settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(node, emitter);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
    }

    private static void Emit(JsonNode? node, IEmitter emitter)
    {
        switch (node)
        {
            case JsonObject obj:
                // An empty mapping or sequence has no block form: "{}" and "[]".
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    emitter.Emit(StringScalar(key, isKey: true));
                    Emit(value, emitter);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(item, emitter);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                emitter.Emit(StringScalar(value.GetValue<string>(), isKey: false));
                break;
            default:
                // null, true, false and numbers: their JSON text is the same plain scalar in YAML.
                emitter.Emit(Plain(node?.ToJsonString() ?? "null", ScalarStyle.Plain));
                break;
        }
    }

    private static Scalar StringScalar(string text, bool isKey)
    {
        if (ReadsAsNonString(text))
        {
            return Plain(text, ScalarStyle.DoubleQuoted);
        }

        if (text.Contains('\n', StringComparison.Ordinal))
        {
            return Plain(text, !isKey && CanBeLiteralBlock(text) ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted);
        }

        // Tabs and other controls: YamlDotNet's emitter writes some of them plain, which its own parser then refuses;
        // escapes in double quotes are exact.
        if (text.Any(c => char.IsControl(c) || c is '\uFEFF' or '\u2028' or '\u2029' or '\u0085'))
        {
            return Plain(text, ScalarStyle.DoubleQuoted);
        }

        // Plain where the emitter finds it syntactically possible; it quotes on its own otherwise (": ", " #", "- a").
        return Plain(text, ScalarStyle.Plain);
    }

    private static Scalar Plain(string text, ScalarStyle style) =>
        new(AnchorName.Empty, TagName.Empty, text, style, isPlainImplicit: true, isQuotedImplicit: true);

    /// <summary>True when a reader would type the plain scalar <paramref name="text"/> as something other than a string.</summary>
    internal static bool ReadsAsNonString(string text) =>
        text.Length == 0 || YamlScalarResolver.ResolvesToNonString(text) || Yaml11NonString().IsMatch(text);

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

    /// <summary>YAML 1.1 booleans, nulls, sexagesimal and underscored numbers, timestamps, merge and value keys.</summary>
    [GeneratedRegex(
        @"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=|<<"
        + @"|[-+]?(0b[01_]+|0[0-7_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)"
        + @"|[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*"
        + @"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$")]
    private static partial Regex Yaml11NonString();
}
