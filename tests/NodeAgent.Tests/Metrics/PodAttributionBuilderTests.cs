using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Tests.Metrics;

public class PodAttributionBuilderTests
{
    private static readonly HashSet<string> Known = ["GPU-a", "GPU-b"];

    [Fact]
    public void Build_WholeGpusAndReplicas_AttributesEveryHolder()
    {
        var containers = new List<ContainerDevices>
        {
            new("ml", "p1", "ray-worker", "nvidia.com/gpu", ["GPU-a"]),
            new("ml", "p2", "ray-worker", "nvidia.com/gpu", ["GPU-b::0"]),
            new("ml", "p3", "ray-worker", "nvidia.com/gpu", ["GPU-b::1", "GPU-b::2"]),
            new("other", "p4", "c", "example.com/fpga", ["fpga-0"]),
        };
        var labels = new Dictionary<(string, string), IReadOnlyDictionary<string, string>>
        {
            [("ml", "p2")] = new Dictionary<string, string> { ["ray.io/cluster"] = "rc", ["ray.io/group"] = "gpu" },
        };

        var result = PodAttributionBuilder.Build(containers, Known, (ns, pod) => labels.GetValueOrDefault((ns, pod)));

        Assert.Equal([new PodRef("ml", "p1", "ray-worker", "", "")], result["GPU-a"]);
        Assert.Equal([new PodRef("ml", "p2", "ray-worker", "rc", "gpu"), new PodRef("ml", "p3", "ray-worker", "", "")], result["GPU-b"]);
        Assert.Equal(2, result.Count);
    }

    [Theory]
    [InlineData("GPU-a", "GPU-a")]
    [InlineData("GPU-a::3", "GPU-a")]
    public void BaseUuid_StripsReplicaSuffix(string id, string expected) => Assert.Equal(expected, PodAttributionBuilder.BaseUuid(id));
}
