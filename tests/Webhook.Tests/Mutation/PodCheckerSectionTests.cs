using Platform.Webhook.Mutation;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>The section a patch path belongs to, against the original Split/Join definition.</summary>
public class PodCheckerSectionTests
{
    [Theory]
    [InlineData("/spec/containers/0/resources/limits/nvidia.com~1gpu")]
    [InlineData("/spec/containers/12/env/3/value")]
    [InlineData("/spec/containers/0/env")]
    [InlineData("/spec/containers/0")]
    [InlineData("/spec/containers")]
    [InlineData("/spec/initContainers/1/args/0")]
    [InlineData("/spec/tolerations/4")]
    [InlineData("/spec/tolerations")]
    [InlineData("/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/1")]
    [InlineData("/metadata/annotations/raygpu.io~1policy")]
    [InlineData("/metadata")]
    [InlineData("/spec")]
    [InlineData("/spec/containersX/0/resources")]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//containers/0/a/b")]
    public void Section_MatchesTheSplitJoinDefinition(string path)
    {
        var segments = path.Split('/');
        var depth = segments.Length > 3 && segments[2] is "containers" or "initContainers" ? 5 : 3;
        var expected = string.Join('/', segments.Take(Math.Min(depth, segments.Length)));

        Assert.Equal(expected, PodChecker.Section(path));
    }
}
