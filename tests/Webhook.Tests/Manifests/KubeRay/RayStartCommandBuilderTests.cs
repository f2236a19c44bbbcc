using System.Text.Json.Nodes;
using Platform.Webhook.Manifests.KubeRay;

namespace Platform.Webhook.Tests.Manifests.KubeRay;

public class RayStartCommandBuilderTests
{
    [Fact]
    public void Generate_Worker_SortsFlagsAndTakesGpusFromLimits()
    {
        var parameters = Params();
        RayStartCommandBuilder.SetMissing(parameters, isHead: false, "c-head-svc.ns.svc.cluster.local:6379");
        var resources = JsonNode.Parse("""{"limits":{"cpu":"8","memory":"32Gi","nvidia.com/gpu":"2"},"requests":{"cpu":"8"}}""")!.AsObject();

        var line = RayStartCommandBuilder.Generate(parameters, isHead: false, resources);

        Assert.Equal(
            "ray start  --address=c-head-svc.ns.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=34359738368  --metrics-export-port=8080  --num-cpus=8  --num-gpus=2 ",
            line);
    }

    [Fact]
    public void Generate_Head_DropsFalseBooleansButKeepsExplicitOnes()
    {
        var parameters = Params(("include-dashboard", "false"), ("disable-usage-stats", "false"), ("num-cpus", "0"));
        RayStartCommandBuilder.SetMissing(parameters, isHead: true, string.Empty);

        var line = RayStartCommandBuilder.Generate(parameters, isHead: true, containerResources: null);

        Assert.Equal(
            "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --include-dashboard=false  --metrics-export-port=8080  --num-cpus=0 ",
            line);
    }

    [Theory]
    [InlineData("nvidia.com/gpu", true)]
    [InlineData("amd.com/gpu", true)]
    [InlineData("nvidia.com/mig-2g.32gb", true)]
    [InlineData("nvidia.com/gpu.shared", false)]
    [InlineData("cpu", false)]
    public void IsGpuResourceName_FollowsKubeRay(string name, bool expected) =>
        Assert.Equal(expected, RayStartCommandBuilder.IsGpuResourceName(name));

    [Fact]
    public void Generate_UserNumGpus_IsKept()
    {
        var parameters = Params(("num-gpus", "4"));
        var resources = JsonNode.Parse("""{"limits":{"nvidia.com/gpu":"1"}}""")!.AsObject();

        var line = RayStartCommandBuilder.Generate(parameters, isHead: false, resources);

        Assert.Contains("--num-gpus=4 ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("--num-gpus=1", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_ZeroGpuLimitAndCpuRequestOnly_FallsBackLikeKubeRay()
    {
        var resources = JsonNode.Parse("""{"limits":{"nvidia.com/gpu":0},"requests":{"cpu":"1500m"}}""")!.AsObject();

        var line = RayStartCommandBuilder.Generate(Params(), isHead: false, resources);

        Assert.DoesNotContain("num-gpus", line, StringComparison.Ordinal);
        Assert.Contains("--num-cpus=2 ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyGroupResources_SplitsKnownAndCustomResources()
    {
        var parameters = Params();
        var group = JsonNode.Parse("""{"cpu":"4","memory":"1Gi","nvidia.com/gpu":"1","TPU":"4","special":"0.5"}""")!.AsObject();

        RayStartCommandBuilder.ApplyGroupResources(parameters, group);

        Assert.Equal("4", parameters["num-cpus"]);
        Assert.Equal("1073741824", parameters["memory"]);
        Assert.Equal("1", parameters["num-gpus"]);
        Assert.Equal("'{\"TPU\":4,\"special\":0.5}'", parameters["resources"]);
    }

    [Fact]
    public void Generate_NeuronCores_BecomeARayResource()
    {
        var resources = JsonNode.Parse("""{"limits":{"aws.amazon.com/neuroncore":"2"}}""")!.AsObject();
        var parameters = Params();

        RayStartCommandBuilder.Generate(parameters, isHead: false, resources);

        Assert.Equal("'{\"neuron_cores\":2}'", parameters["resources"]);
    }

    private static SortedDictionary<string, string> Params(params (string Key, string Value)[] values)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            result[key] = value;
        }

        return result;
    }
}
