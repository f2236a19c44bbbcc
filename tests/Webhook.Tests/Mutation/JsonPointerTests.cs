using Platform.Webhook.Mutation;

namespace Platform.Webhook.Tests.Mutation;

public class JsonPointerTests
{
    [Theory]
    [InlineData("nvidia.com/gpu", "nvidia.com~1gpu")]
    [InlineData("a~b", "a~0b")]
    [InlineData("~/", "~0~1")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void Escape_Rfc6901(string segment, string escaped)
    {
        Assert.Equal(escaped, JsonPointer.Escape(segment));
        Assert.Equal(segment, JsonPointer.Unescape(escaped));
    }

    [Fact]
    public void Build_EscapesEverySegment() =>
        Assert.Equal("/spec/containers/0/resources/limits/nvidia.com~1gpu", JsonPointer.Build(["spec", "containers", "0", "resources", "limits", "nvidia.com/gpu"]));

    [Fact]
    public void Parse_RoundTripsBuild() =>
        Assert.Equal(["metadata", "annotations", "raygpu.io/policy", "x~y"], JsonPointer.Parse(JsonPointer.Build(["metadata", "annotations", "raygpu.io/policy", "x~y"])));

    [Fact]
    public void Parse_WithoutLeadingSlash_Throws() => Assert.Throws<FormatException>(() => JsonPointer.Parse("spec"));
}
