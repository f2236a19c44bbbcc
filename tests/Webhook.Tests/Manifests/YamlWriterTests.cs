using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Webhook.Tests.Manifests;

public class YamlWriterTests
{
    public static TheoryData<string> TrickyStrings => new()
    {
        "", " ", "true", "False", "null", "~", "1", "-1", "+1", "0.5", ".5", "1e3", "0x1F", "0o17", ".inf", ".NaN",
        "yes", "No", "on", "OFF", "y", "n", "=", "<<", "0777", "1_000", "1:20", "190:20:30.15", "2024-01-01",
        "-", "- a", "-a", "?", "? a", ":", "a:", "a: b", "a #b", "#a", "a#b", "&a", "*a", "!a", "|", ">", "'", "\"",
        "%a", "@a", "`a", "[a]", "{a}", "a,b", "a\nb", "a\nb\n", "a\n\nb", "a\n\n", "\na", " a\nb", "a \nb", "tab\there",
        "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --block ", "nvidia.com/gpu", "500m", "Ünïcödé ✓",
        "\u0001ctrl", "a\r\nb", "\uFEFFbom", "line1\n  indented\nline3\n", "emoji 😀",
    };

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void Write_ThenRead_KeepsEveryStringAString(string text)
    {
        var node = new JsonObject { ["value"] = text, [text] = "as key", ["list"] = new JsonArray(JsonValue.Create(text)) };

        var yaml = YamlWriter.Write(node);
        var back = Assert.Single(ManifestReader.Read(yaml, "roundtrip.yaml")).Content;

        Assert.True(JsonNode.DeepEquals(node, back), $"round trip changed the document:\n{yaml}");
    }

    [Fact]
    public void Write_ThenRead_RandomDocumentsRoundTrip()
    {
        var random = new Random(20261123);
        for (var i = 0; i < 300; i++)
        {
            var node = RandomNode(random, depth: 0);

            var yaml = YamlWriter.Write(node);
            var back = Assert.Single(ManifestReader.Read(yaml, "random.yaml")).Content;

            Assert.True(JsonNode.DeepEquals(node, back), $"iteration {i} changed the document:\n{yaml}");
        }
    }

    [Fact]
    public void Write_Pod_UsesBlockStyleWithQuotedAmbiguousStrings()
    {
        var pod = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"ray.io/is-ray-node":"yes","count":"1"}},
             "spec":{"containers":[{"name":"ray","args":["a\nb"],"resources":{"limits":{"nvidia.com/gpu":"1","cpu":2}}}],
                     "tolerations":[],"nodeSelector":{}}}
            """);

        var yaml = YamlWriter.Write(pod);

        Assert.Equal("""
            apiVersion: v1
            kind: Pod
            metadata:
              labels:
                ray.io/is-ray-node: "yes"
                count: "1"
            spec:
              containers:
                - name: ray
                  args:
                    - |-
                      a
                      b
                  resources:
                    limits:
                      nvidia.com/gpu: "1"
                      cpu: 2
              tolerations: []
              nodeSelector: {}

            """.Replace("\r\n", "\n", StringComparison.Ordinal), yaml);
    }

    [Theory]
    [InlineData("true", ScalarStyle.DoubleQuoted)]
    [InlineData("0.5", ScalarStyle.DoubleQuoted)]
    [InlineData("~", ScalarStyle.DoubleQuoted)]
    [InlineData("", ScalarStyle.DoubleQuoted)]
    [InlineData("yes", ScalarStyle.DoubleQuoted)]
    [InlineData("nvidia.com/gpu", ScalarStyle.Plain)]
    [InlineData("a: b", ScalarStyle.SingleQuoted)]
    [InlineData("line1\nline2", ScalarStyle.Literal)]
    public void Write_StringScalar_StyleAsYamlDotNetParsesIt(string text, ScalarStyle expected)
    {
        var yaml = YamlWriter.Write(new JsonObject { [text] = text });

        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var (key, value) = Assert.Single(((YamlMappingNode)stream.Documents[0].RootNode).Children);
        Assert.Equal(text, ((YamlScalarNode)key).Value);
        Assert.Equal(text, ((YamlScalarNode)value).Value);
        Assert.Equal(expected, ((YamlScalarNode)value).Style);
    }

    [Fact]
    public void Write_NestedSequences_RoundTrip()
    {
        var node = JsonNode.Parse("""[[1,[2,"3"]],[],{},[{"a":[{"b":null}]}]]""");

        var back = Assert.Single(ManifestReader.Read(YamlWriter.Write(node), "nested.yaml")).Content;

        Assert.True(JsonNode.DeepEquals(node, back));
    }

    private static JsonNode? RandomNode(Random random, int depth)
    {
        var choice = random.Next(depth > 3 ? 5 : 7);
        switch (choice)
        {
            case 0: return null;
            case 1: return JsonValue.Create(random.Next(2) == 0);
            case 2: return JsonValue.Create(random.Next(-1000, 1000));
            case 3: return JsonValue.Create(Math.Round(random.NextDouble() * 100, 3));
            case 4: return JsonValue.Create(RandomString(random));
            case 5:
                var obj = new JsonObject();
                for (var i = random.Next(4); i > 0; i--)
                {
                    obj[RandomString(random)] = RandomNode(random, depth + 1);
                }

                return obj;
            default:
                var array = new JsonArray();
                for (var i = random.Next(4); i > 0; i--)
                {
                    array.Add(RandomNode(random, depth + 1));
                }

                return array;
        }
    }

    private static string RandomString(Random random)
    {
        const string alphabet = "ab1 :-#'\"\n\t.?*&!|>{}[],%@`~yYnN0xoe+_\\é✓\u0007";
        var sb = new StringBuilder();
        for (var i = random.Next(8); i > 0; i--)
        {
            sb.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return sb.ToString();
    }
}
