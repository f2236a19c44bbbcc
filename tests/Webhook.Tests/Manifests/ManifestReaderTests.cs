using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;

namespace Platform.Webhook.Tests.Manifests;

public class ManifestReaderTests
{
    [Theory]
    [InlineData("v: 1", "1")]
    [InlineData("v: -12", "-12")]
    [InlineData("v: +7", "7")]
    [InlineData("v: 007", "7")]
    [InlineData("v: 0x1F", "31")]
    [InlineData("v: 0o17", "15")]
    [InlineData("v: 0.5", "0.5")]
    [InlineData("v: 1.0", "1.0")]
    [InlineData("v: 1e3", "1e3")]
    [InlineData("v: .5", "0.5")]
    [InlineData("v: 123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("v: true", "true")]
    [InlineData("v: False", "false")]
    [InlineData("v: ~", "null")]
    [InlineData("v:", "null")]
    [InlineData("v: NULL", "null")]
    [InlineData("v: \"1\"", "\"1\"")]
    [InlineData("v: '1'", "\"1\"")]
    [InlineData("v: 'true'", "\"true\"")]
    [InlineData("v: \"null\"", "\"null\"")]
    [InlineData("v: yes", "\"yes\"")]
    [InlineData("v: on", "\"on\"")]
    [InlineData("v: 500m", "\"500m\"")]
    [InlineData("v: 1Gi", "\"1Gi\"")]
    [InlineData("v: 1_000", "\"1_000\"")]
    [InlineData("v: 0777x", "\"0777x\"")]
    [InlineData("v: !!str 1", "\"1\"")]
    [InlineData("v: !!int \"12\"", "12")]
    [InlineData("v: |\n  a\n  b\n", "\"a\\nb\\n\"")]
    public void Read_PlainScalars_AreTypedByYaml12CoreSchema(string yaml, string expectedJson)
    {
        var documents = ManifestReader.Read(yaml, "test.yaml");

        var value = Assert.Single(documents).Content!["v"];
        Assert.Equal(expectedJson, value?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Read_MultipleYamlDocuments_ReturnsEachWithItsStartLine()
    {
        const string yaml = "a: 1\n---\nb: 2\n---\n---\nc: [1, \"2\"]\n";

        var documents = ManifestReader.Read(yaml, "multi.yaml");

        Assert.Equal(4, documents.Count);
        Assert.Equal(1, documents[0].Line);
        Assert.Equal(2, documents[1].Line);
        Assert.Null(documents[2].Content);
        Assert.Equal("[1,\"2\"]", documents[3].Content!["c"]!.ToJsonString());
        Assert.All(documents, d => Assert.Equal("multi.yaml", d.Source));
    }

    [Fact]
    public void Read_ConcatenatedJsonValues_ReturnsEachAsADocument()
    {
        const string json = "{\"kind\":\"Pod\",\"n\":1}\n{\"kind\":\"Pod\",\"s\":\"1\"}\n";

        var documents = ManifestReader.Read(json, "pods.json");

        Assert.Equal(2, documents.Count);
        Assert.Equal(JsonValueKind.Number, documents[0].Content!["n"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, documents[1].Content!["s"]!.GetValueKind());
        Assert.Equal(2, documents[1].Line);
    }

    [Fact]
    public void Read_YamlFlowMappingThatLooksLikeJson_FallsBackToYaml()
    {
        var documents = ManifestReader.Read("{a: b, c: 1}", "flow.yaml");

        Assert.Equal("{\"a\":\"b\",\"c\":1}", Assert.Single(documents).Content!.ToJsonString());
    }

    [Fact]
    public void Read_AnchorsAliasesAndMergeKeys_AreResolved()
    {
        const string yaml = """
            base: &base
              image: ray
              limits: {cpu: 1}
            copy: *base
            merged:
              <<: *base
              name: worker
            """;

        var doc = Assert.Single(ManifestReader.Read(yaml, "anchors.yaml")).Content!;

        Assert.True(JsonNode.DeepEquals(doc["base"], doc["copy"]));
        Assert.Equal("ray", (string?)doc["merged"]!["image"]);
        Assert.Equal("worker", (string?)doc["merged"]!["name"]);
        // The alias is a copy: changing it must not change the anchor.
        doc["copy"]!["image"] = "other";
        Assert.Equal("ray", (string?)doc["base"]!["image"]);
    }

    [Theory]
    [InlineData("a: 1\n  b: 2\n", 2)]
    [InlineData("a: [1, 2\n", 2)]
    [InlineData("spec:\n  x: 1\n  x: 2\n", 3)]
    [InlineData("a:\n  b: .inf\n", 2)]
    public void Read_BadYaml_ThrowsWithLineAndColumn(string yaml, long expectedLine)
    {
        var error = Assert.Throws<ManifestFormatException>(() => ManifestReader.Read(yaml, "bad.yaml"));

        Assert.Equal(expectedLine, error.Line);
        Assert.True(error.Column > 0);
        Assert.StartsWith($"bad.yaml:{expectedLine}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateKey_NamesTheKey()
    {
        var error = Assert.Throws<ManifestFormatException>(() => ManifestReader.Read("metadata:\n  name: a\n  name: b\n", "dup.yaml"));

        Assert.Contains("duplicate key 'name'", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
        Assert.Equal(3, error.Column);
    }

    [Fact]
    public void Read_BadJson_ThrowsWithLine()
    {
        var error = Assert.Throws<ManifestFormatException>(() => ManifestReader.Read("{\n  \"a\": 1,\n  \"b\": 2 }\n}", "bad.json"));

        Assert.Equal(4, error.Line);
        Assert.StartsWith("bad.json:4:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateJsonProperty_IsRejected()
    {
        var error = Assert.Throws<ManifestFormatException>(() => ManifestReader.Read("{\"a\": 1, \"a\": 2}", "dup.json"));

        Assert.Equal("dup.json", error.Source);
    }

    [Fact]
    public void Read_NestingBeyondTheLimit_IsRejected()
    {
        var yaml = new string('[', ManifestReader.MaxDepth + 5) + new string(']', ManifestReader.MaxDepth + 5);

        var error = Assert.Throws<ManifestFormatException>(() => ManifestReader.Read("a: " + yaml, "deep.yaml"));

        Assert.Contains("nesting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ComplexKey_IsRejected()
    {
        var error = Assert.Throws<ManifestFormatException>(() => ManifestReader.Read("? [a, b]\n: c\n", "complex.yaml"));

        Assert.Contains("mapping keys", error.Message, StringComparison.Ordinal);
    }
}
