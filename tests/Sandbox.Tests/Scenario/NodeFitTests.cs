using System.Text.Json.Nodes;
using Platform.Sandbox.Scenario;

namespace Platform.Sandbox.Tests.Scenario;

public sealed class NodeFitTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["nvidia.com/gpu.present"] = "true",
        ["nvidia.com/gpu.product"] = "NVIDIA-A10G",
        ["nvidia.com/gpu.count"] = "4",
    };

    [Theory]
    [InlineData("""{"spec":{}}""", null)]
    [InlineData("""{"spec":{"nodeSelector":{"nvidia.com/gpu.product":"NVIDIA-A10G"}}}""", null)]
    [InlineData("""{"spec":{"nodeSelector":{"nvidia.com/gpu.product":"NVIDIA-H100-80GB-HBM3"}}}""", "nvidia.com/gpu.product=NVIDIA-A10G")]
    [InlineData("""{"spec":{"nodeSelector":{"pool":"gpu"}}}""", "no such label")]
    [InlineData("""{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"nvidia.com/gpu.present","operator":"NotIn","values":["true"]}]}]}}}}}""", "node affinity")]
    [InlineData("""{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"nvidia.com/gpu.count","operator":"In","values":["8"]}]},{"matchExpressions":[{"key":"nvidia.com/gpu.count","operator":"Gt","values":["2"]}]}]}}}}}""", null)]
    public void Check_SelectorsAndAffinity(string pod, string? expected)
    {
        var reason = NodeFit.Check(JsonNode.Parse(pod)!.AsObject(), Labels, []);

        if (expected is null)
        {
            Assert.Null(reason);
        }
        else
        {
            Assert.Contains(expected, reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""[]""", false)]
    [InlineData("""[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]""", true)]
    [InlineData("""[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoExecute"}]""", false)]
    [InlineData("""[{"key":"nvidia.com/gpu","operator":"Equal","value":"present"}]""", true)]
    [InlineData("""[{"key":"nvidia.com/gpu","operator":"Equal","value":"other"}]""", false)]
    [InlineData("""[{"operator":"Exists"}]""", true)]
    public void Check_TaintsAgainstTolerations(string tolerations, bool fits)
    {
        var pod = JsonNode.Parse("""{"spec":{"tolerations":""" + tolerations + "}}")!.AsObject();

        var reason = NodeFit.Check(pod, Labels, [("nvidia.com/gpu", "present", "NoSchedule"), ("note", null, "PreferNoSchedule")]);

        Assert.Equal(fits, reason is null);
    }
}
