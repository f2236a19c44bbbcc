using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Platform.Webhook.Manifests;

/// <summary>
/// Reads Kubernetes manifests (YAML or JSON, one or many documents) into <see cref="JsonNode"/> trees, the shape
/// the webhook core works on. Plain YAML scalars are typed by the YAML 1.2 core schema; quoted scalars stay strings.
/// Errors carry the source, line and column.
/// </summary>
internal static partial class ManifestReader
{
    /// <summary>Nesting deeper than this is refused: no Kubernetes object needs it, and it bounds the recursion.</summary>
    public const int MaxDepth = 100;

    private const string YamlTagPrefix = "tag:yaml.org,2002:";

    public static IReadOnlyList<ManifestDocument> Read(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = text.AsSpan().TrimStart();
        if (start.Length > 0 && start[0] is '{' or '[')
        {
            try
            {
                return ReadJson(text, source);
            }
            catch (ManifestFormatException jsonError)
            {
                // "{a: b}" is a YAML flow mapping, not JSON: give YAML a chance before reporting the JSON error.
                try
                {
                    return ReadYaml(text, source);
                }
                catch (ManifestFormatException)
                {
                    throw jsonError;
                }
            }
        }

        return ReadYaml(text, source);
    }

    private static List<ManifestDocument> ReadJson(string text, string source)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var documents = new List<ManifestDocument>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            AllowMultipleValues = true,
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = MaxDepth,
        });
        var documentOptions = new JsonDocumentOptions
        {
            AllowDuplicateProperties = false,
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = MaxDepth,
        };

        try
        {
            while (reader.Read())
            {
                var startOffset = reader.TokenStartIndex;
                var line = LineOf(bytes, startOffset);
                using var element = JsonDocument.ParseValue(ref reader);
                var raw = element.RootElement.GetRawText();
                JsonNode? node;
                try
                {
                    node = JsonNode.Parse(raw, documentOptions: documentOptions);
                }
                catch (JsonException e)
                {
                    throw new ManifestFormatException(source, line + (e.LineNumber ?? 0), (e.BytePositionInLine ?? 0) + 1, CleanJsonMessage(e.Message));
                }

                documents.Add(new ManifestDocument(source, documents.Count, line, node));
            }
        }
        catch (JsonException e)
        {
            throw new ManifestFormatException(source, (e.LineNumber ?? 0) + 1, (e.BytePositionInLine ?? 0) + 1, CleanJsonMessage(e.Message));
        }

        return documents;
    }

    private static List<ManifestDocument> ReadYaml(string text, string source)
    {
        var documents = new List<ManifestDocument>();
        IParser parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                var documentStart = parser.Consume<DocumentStart>();
                var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                var content = ReadNode(parser, anchors, source, depth: 0);
                parser.Consume<DocumentEnd>();
                documents.Add(new ManifestDocument(source, documents.Count, documentStart.Start.Line, content));
            }
        }
        catch (YamlException e)
        {
            throw new ManifestFormatException(source, e.Start.Line, e.Start.Column, CleanYamlMessage(e));
        }

        return documents;
    }

    private static JsonNode? ReadNode(IParser parser, Dictionary<string, JsonNode?> anchors, string source, int depth)
    {
        var current = parser.Current ?? throw new ManifestFormatException(source, 0, 0, "unexpected end of the YAML stream");
        if (depth > MaxDepth)
        {
            throw new ManifestFormatException(source, current.Start.Line, current.Start.Column, $"nesting deeper than {MaxDepth} levels");
        }

        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                var value = ScalarValue(scalar, source);
                Remember(anchors, scalar.Anchor, value);
                return value;

            case AnchorAlias alias:
                parser.MoveNext();
                if (!anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw new ManifestFormatException(source, alias.Start.Line, alias.Start.Column, $"unknown alias '*{alias.Value.Value}'");
                }

                return anchored?.DeepClone();

            case SequenceStart sequenceStart:
                {
                    parser.MoveNext();
                    var array = new JsonArray();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        array.Add(ReadNode(parser, anchors, source, depth + 1));
                    }

                    Remember(anchors, sequenceStart.Anchor, array);
                    return array;
                }

            case MappingStart mappingStart:
                {
                    parser.MoveNext();
                    var obj = new JsonObject();
                    var merges = new List<(Scalar Key, JsonNode? Value)>();
                    while (!parser.TryConsume<MappingEnd>(out _))
                    {
                        if (parser.Current is not Scalar keyScalar)
                        {
                            var at = parser.Current!;
                            throw new ManifestFormatException(source, at.Start.Line, at.Start.Column, "mapping keys must be plain strings, not collections or aliases");
                        }

                        parser.MoveNext();
                        var key = keyScalar.Value;
                        var item = ReadNode(parser, anchors, source, depth + 1);
                        if (key == "<<" && keyScalar.Style == ScalarStyle.Plain && keyScalar.Tag.IsEmpty)
                        {
                            merges.Add((keyScalar, item));
                        }
                        else if (!obj.TryAdd(key, item))
                        {
                            throw new ManifestFormatException(source, keyScalar.Start.Line, keyScalar.Start.Column, $"duplicate key '{key}'");
                        }
                    }

                    ApplyMergeKeys(obj, merges, source);
                    Remember(anchors, mappingStart.Anchor, obj);
                    return obj;
                }

            default:
                throw new ManifestFormatException(source, current.Start.Line, current.Start.Column, $"unexpected YAML event {current.GetType().Name}");
        }
    }

    private static JsonNode? ScalarValue(Scalar scalar, string source)
    {
        var tag = scalar.Tag.IsEmpty ? string.Empty : scalar.Tag.Value;
        try
        {
            if (tag == "!" || tag == YamlTagPrefix + "str")
            {
                return JsonValue.Create(scalar.Value);
            }

            if (tag.StartsWith(YamlTagPrefix, StringComparison.Ordinal))
            {
                // An explicit core tag (!!int "1") asks for that type whatever the quoting.
                var typed = YamlScalarResolver.ResolvePlain(scalar.Value);
                var expected = tag[YamlTagPrefix.Length..];
                var kind = typed?.GetValueKind();
                var matches = expected switch
                {
                    "null" => typed is null,
                    "bool" => kind is JsonValueKind.True or JsonValueKind.False,
                    "int" => kind is JsonValueKind.Number && !scalar.Value.Contains('.', StringComparison.Ordinal),
                    "float" => kind is JsonValueKind.Number,
                    _ => true,
                };
                if (!matches)
                {
                    throw new FormatException($"'{scalar.Value}' is not a valid !!{expected}");
                }

                return typed;
            }

            return scalar.Style == ScalarStyle.Plain ? YamlScalarResolver.ResolvePlain(scalar.Value) : JsonValue.Create(scalar.Value);
        }
        catch (FormatException e)
        {
            throw new ManifestFormatException(source, scalar.Start.Line, scalar.Start.Column, e.Message);
        }
    }

    /// <summary>
    /// YAML merge keys (<c>&lt;&lt;: *base</c> or <c>&lt;&lt;: [*a, *b]</c>): keys written in the mapping win, then earlier
    /// merged mappings over later ones. Only a plain, untagged <c>&lt;&lt;</c> merges; <c>"&lt;&lt;"</c> is an ordinary key.
    /// </summary>
    private static void ApplyMergeKeys(JsonObject target, List<(Scalar Key, JsonNode? Value)> merges, string source)
    {
        foreach (var (key, value) in merges)
        {
            IEnumerable<JsonNode?> sources = value is JsonArray list ? list : [value];
            foreach (var merged in sources)
            {
                if (merged is not JsonObject mapping)
                {
                    throw new ManifestFormatException(source, key.Start.Line, key.Start.Column, "a merge key (<<) takes a mapping or a list of mappings");
                }

                foreach (var (name, item) in mapping)
                {
                    if (!target.ContainsKey(name))
                    {
                        target[name] = item?.DeepClone();
                    }
                }
            }
        }
    }

    private static void Remember(Dictionary<string, JsonNode?> anchors, AnchorName anchor, JsonNode? value)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = value;
        }
    }

    private static long LineOf(byte[] bytes, long offset)
    {
        long line = 1;
        for (long i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
            }
        }

        return line;
    }

    private static string CleanYamlMessage(YamlException e) => YamlMarkPrefix().Replace(e.Message, string.Empty);

    private static string CleanJsonMessage(string message) => JsonPositionSuffix().Replace(message, string.Empty).TrimEnd('.', ' ');

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlMarkPrefix();

    [GeneratedRegex(@"\s*(Path: .*)?\|? *LineNumber: \d+ \| BytePositionInLine: \d+\.?", RegexOptions.Singleline)]
    private static partial Regex JsonPositionSuffix();
}
