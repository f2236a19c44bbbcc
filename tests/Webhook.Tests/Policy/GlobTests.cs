using Platform.Webhook.Policy;

namespace Platform.Webhook.Tests.Policy;

public class GlobTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("ml-*", "ml-team", true)]
    [InlineData("ml-*", "ml-", true)]
    [InlineData("ml-*", "team-ml", false)]
    [InlineData("gpu-?", "gpu-a", true)]
    [InlineData("gpu-?", "gpu-ab", false)]
    [InlineData("*-gpu-*", "a-gpu-b", true)]
    [InlineData("*-gpu-*", "a-cpu-b", false)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void IsMatch_Table(string pattern, string value, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, value));

    [Fact]
    public void MatchesAny_OmittedList_MatchesEverything() => Assert.True(Glob.MatchesAny(null, "x"));

    [Fact]
    public void MatchesAny_NoPatternMatches_False() => Assert.False(Glob.MatchesAny(["a*", "b*"], "c"));
}
