using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Tests.Labels;

public class NodeTaintTests
{
    [Theory]
    [InlineData("ray.io/node-type=worker:NoSchedule", "ray.io/node-type", "worker", "NoSchedule")]
    [InlineData("nvidia.com/gpu:NoExecute", "nvidia.com/gpu", null, "NoExecute")]
    [InlineData("dedicated=gpu:PreferNoSchedule", "dedicated", "gpu", "PreferNoSchedule")]
    public void TryParse_Valid(string text, string key, string? value, string effect)
    {
        Assert.True(NodeTaint.TryParse(text, out var taint, out _));
        Assert.Equal(new NodeTaint(key, value, effect), taint);
        Assert.Equal(text, taint!.ToString());
    }

    [Theory]
    [InlineData("ray.io/node-type=worker", "no effect")]
    [InlineData("a=b:Sometimes", "effect 'Sometimes'")]
    [InlineData("=b:NoSchedule", "empty key")]
    public void TryParse_Invalid_ExplainsTheFix(string text, string expected)
    {
        Assert.False(NodeTaint.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_AddsMissing_FixesValue_KeepsOthers()
    {
        var current = new List<NodeTaint> { new("other", null, "NoSchedule"), new("ray.io/node-type", "head", "NoSchedule") };
        var desired = new List<NodeTaint> { new("ray.io/node-type", "worker", "NoSchedule"), new("gpu", null, "NoExecute") };

        var merged = NodeTaintMerge.Compute(current, desired);

        Assert.Equal([new("other", null, "NoSchedule"), new("ray.io/node-type", "worker", "NoSchedule"), new("gpu", null, "NoExecute")], merged);
    }

    [Fact]
    public void Merge_AllPresent_Null() =>
        Assert.Null(NodeTaintMerge.Compute([new("a", "b", "NoSchedule")], [new("a", "b", "NoSchedule")]));

    [Fact]
    public void Validator_NamesTheIndexOfABadTaint()
    {
        var result = new LabelsOptionsValidator().Validate(null, new NodeOptions { Taints = ["ok=1:NoSchedule", "bad"] });
        Assert.StartsWith("Node:Taints:1 ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void PatchBuilder_WritesMergePatches()
    {
        Assert.Equal("""{"metadata":{"labels":{"a":"1","b":null}}}""", NodePatchBuilder.Labels(new SortedDictionary<string, string?> { ["a"] = "1", ["b"] = null }));
        Assert.Equal(
            """{"metadata":{"resourceVersion":"42"},"spec":{"taints":[{"key":"k","value":"v","effect":"NoSchedule"},{"key":"g","effect":"NoExecute"}]}}""",
            NodePatchBuilder.Taints([new("k", "v", "NoSchedule"), new("g", null, "NoExecute")], "42"));
    }
}
