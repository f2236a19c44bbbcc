using Platform.Sandbox.Kubernetes;

namespace Platform.Sandbox.Tests.Kubernetes;

public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal) { ["nvidia.com/gpu.present"] = "true", ["zone"] = "a" };

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("nvidia.com/gpu.present=true", true)]
    [InlineData("nvidia.com/gpu.present==true", true)]
    [InlineData("nvidia.com/gpu.present=false", false)]
    [InlineData("nvidia.com/gpu.present!=true", false)]
    [InlineData("absent!=x", true)]
    [InlineData("zone", true)]
    [InlineData("!zone", false)]
    [InlineData("!absent", true)]
    [InlineData("zone=a,nvidia.com/gpu.present=true", true)]
    [InlineData("zone=a,absent", false)]
    public void Matches_EqualityBasedSelectors(string? selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Matches(selector, Labels));

    [Theory]
    [InlineData("zone in (a,b)")]
    [InlineData("zone,,a")]
    public void Matches_SetBasedOrEmptyTerm_IsRefused(string selector) =>
        Assert.Throws<FormatException>(() => LabelSelector.Matches(selector, Labels));
}
