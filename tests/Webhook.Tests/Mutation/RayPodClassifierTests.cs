using System.Text.Json;
using Platform.Webhook.Mutation;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

public class RayPodClassifierTests
{
    [Theory]
    [InlineData(Fixtures.HeadWithAutoscaler, "Head", "headgroup")]
    [InlineData(Fixtures.GpuWorker, "Worker", "gpu-group")]
    [InlineData(Fixtures.CpuWorker, "Worker", "cpu-group")]
    [InlineData(Fixtures.RedisCleanup, "NotRay", null)]
    [InlineData(Fixtures.RayJobSubmitter, "NotRay", null)]
    [InlineData(Fixtures.PlainPod, "NotRay", null)]
    public void Classify_Fixtures(string fixture, string kind, string? group)
    {
        var pod = RayPodClassifier.Classify(ResourceFixtures.Element(Fixtures.Pod(fixture)));

        Assert.Equal(Enum.Parse<RayPodKind>(kind), pod.Kind);
        Assert.Equal(group, pod.Group);
    }

    [Theory]
    [InlineData("""{"metadata":{"labels":{"ray.io/node-type":"worker"}}}""")]
    [InlineData("""{"metadata":{"labels":{"ray.io/node-type":"worker","ray.io/cluster":""}}}""")]
    [InlineData("""{"metadata":{"labels":{"ray.io/cluster":"c"}}}""")]
    [InlineData("""{"metadata":{"labels":{"ray.io/node-type":"Worker","ray.io/cluster":"c"}}}""")]
    [InlineData("""{"metadata":{"labels":{"ray.io/node-type":1,"ray.io/cluster":"c"}}}""")]
    [InlineData("""{"metadata":{}}""")]
    [InlineData("""{}""")]
    [InlineData("""[]""")]
    [InlineData("""{"metadata":{"labels":["ray.io/node-type"]}}""")]
    public void Classify_WithoutBothLabels_IsNotRay(string json) =>
        Assert.Equal(RayPodKind.NotRay, RayPodClassifier.Classify(JsonElement.Parse(json)).Kind);

    [Fact]
    public void Classify_ContainerNameDoesNotMatter()
    {
        var pod = JsonElement.Parse("""{"metadata":{"labels":{"ray.io/node-type":"head","ray.io/cluster":"c"}},"spec":{"containers":[{"name":"machine-learning"}]}}""");

        var result = RayPodClassifier.Classify(pod);

        Assert.Equal(RayPodKind.Head, result.Kind);
        Assert.Equal("c", result.Cluster);
    }
}
