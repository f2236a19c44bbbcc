using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

public class PodCheckerTests
{
    private static readonly JsonPatchOperation TouchContainer = new("add", "/spec/containers/0/resources/limits/nvidia.com~1gpu", "1");
    private static readonly JsonPatchOperation TouchTolerations = new("add", "/spec/tolerations/2", new JsonObject());

    [Fact]
    public void Check_ValidWorker_NoProblem() =>
        Assert.Null(PodChecker.Check(Fixtures.Pod(Fixtures.GpuWorker), [TouchContainer, TouchTolerations]));

    [Theory]
    [InlineData("""{"limits":{"nvidia.com/gpu":"1"},"requests":{"nvidia.com/gpu":"2"}}""", "need them equal")]
    [InlineData("""{"requests":{"nvidia.com/gpu":"1"}}""", "without a limit")]
    [InlineData("""{"limits":{"nvidia.com/gpu":null},"requests":{"nvidia.com/gpu":"1"}}""", "without a limit")]
    [InlineData("""{"limits":{"nvidia.com/gpu":"1"},"requests":{"nvidia.com/gpu":null}}""", "requests nvidia.com/gpu as null")]
    [InlineData("""{"limits":{"nvidia.com/gpu":"one"}}""", "does not parse")]
    [InlineData("""{"limits":{"nvidia.com/gpu":{"n":1}}}""", "does not parse")]
    public void Check_TouchedContainerInvalid_ReportsIt(string resources, string messagePart)
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["containers"]![0]!["resources"] = JsonNode.Parse(resources);

        Assert.Contains(messagePart, PodChecker.Check(pod, [TouchContainer]), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UntouchedSectionInvalid_IsNotOurs()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["initContainers"]![0]!["resources"] = JsonNode.Parse("""{"requests":{"nvidia.com/gpu":"1"}}""");

        Assert.Null(PodChecker.Check(pod, [TouchContainer]));
    }

    [Theory]
    [InlineData("""[{"value":"void"}]""", "/spec/containers/0/env/0 is not an environment variable with a name")]
    [InlineData("""[{"name":""}]""", "/spec/containers/0/env/0 is not an environment variable with a name")]
    [InlineData("""[{"name":"A","value":"a"},{"name":"B","value":3}]""", "/spec/containers/0/env/1 is not an environment variable with a string value: value is a Number")]
    [InlineData("""[{"name":"A","valueFrom":"metadata.name"}]""", "/spec/containers/0/env/0 is not an environment variable source: valueFrom is not an EnvVarSource")]
    [InlineData("""[{"name":"A","value":null},{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]""", null)]
    [InlineData("""{"name":"x"}""", "/spec/containers/0/env is not a list")]
    public void Check_TouchedEnv_ReportsWhatIsWrongOrNothing(string env, string? expected)
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["containers"]![0]!["env"] = JsonNode.Parse(env);

        Assert.Equal(expected, PodChecker.Check(pod, [new("add", "/spec/containers/0/env/0", new JsonObject())]));
    }

    [Fact]
    public void Check_TouchedArgsNotStrings_ReportsIt()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["containers"]![0]!["args"] = JsonNode.Parse("[1]");

        Assert.Equal("/spec/containers/0/args is not a list of strings", PodChecker.Check(pod, [new("replace", "/spec/containers/0/args/0", 1)]));
    }

    [Fact]
    public void Check_DuplicateTolerations_ReportsBoth()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["tolerations"]!.AsArray().Add(JsonNode.Parse("""{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"}"""));

        Assert.Equal("tolerations 1 and 2 are the same toleration", PodChecker.Check(pod, [TouchTolerations]));
    }

    [Theory]
    [InlineData("""{"key":1}""", "/spec/tolerations/2/key is a Number")]
    [InlineData("""{"key":"k","tolerationSeconds":"300"}""", "/spec/tolerations/2/tolerationSeconds is a String")]
    [InlineData("""{"key":"k","tolerationSeconds":1.5}""", "/spec/tolerations/2/tolerationSeconds is a Number")]
    public void Check_TolerationFieldOfWrongType_ReportsIt(string toleration, string expected)
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["tolerations"]!.AsArray().Add(JsonNode.Parse(toleration));

        Assert.StartsWith(expected, PodChecker.Check(pod, [TouchTolerations]), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AnnotationNotString_ReportsPath()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["metadata"]!["annotations"] = new JsonObject { ["raygpu.io/policy"] = 3 };

        Assert.Equal("/metadata/annotations/raygpu.io~1policy is not a string", PodChecker.Check(pod, [new("add", "/metadata/annotations/raygpu.io~1policy", 3)]));
    }

    [Fact]
    public void Check_AffinityOfWrongShape_ReportsIt()
    {
        var pod = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
        pod["spec"]!["affinity"] = JsonNode.Parse("""{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":"x"}}}""");

        Assert.Contains("/spec/affinity does not parse", PodChecker.Check(pod, [new("add", "/spec/affinity", new JsonObject())]), StringComparison.Ordinal);
    }
}
