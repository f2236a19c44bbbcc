using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>The proof judges what the patch introduces, never what the user wrote. Each test applies its
/// operations to a pod with the webhook's applier and checks the result.</summary>
public class PatchProofTests
{
    private static readonly JsonObject NewToleration = new() { ["key"] = "dedicated", ["operator"] = "Equal", ["value"] = "h100", ["effect"] = "NoSchedule" };

    [Fact]
    public void Check_WhatTheWebhookWritesOnAWorker_NoProblem() =>
        Assert.Null(Check(
            Fixtures.Pod(Fixtures.GpuWorker),
            Op("replace", "/spec/containers/0/resources/limits/nvidia.com~1gpu", "2"),
            Op("replace", "/spec/containers/0/resources/requests/nvidia.com~1gpu", "2"),
            Op("add", "/spec/tolerations/-", NewToleration),
            Op("add", "/spec/nodeSelector", new JsonObject { ["pool"] = "gpu" }),
            Op("add", "/metadata/annotations", new JsonObject { ["raygpu.io/policy"] = "h100x8" })));

    [Theory]
    [InlineData("one", "is not a resource quantity")]
    [InlineData("", "is not a resource quantity")]
    public void Check_QuantityThatIsNone_ReportsIt(string quantity, string messagePart) =>
        Assert.Contains(messagePart, Check(Fixtures.Pod(Fixtures.GpuWorker), Op("replace", "/spec/containers/0/resources/limits/nvidia.com~1gpu", quantity)), StringComparison.Ordinal);

    [Fact]
    public void Check_LimitSetButRequestLeftDifferent_ReportsIt() =>
        Assert.Contains(
            "need them equal",
            Check(Fixtures.Pod(Fixtures.GpuWorker), Op("replace", "/spec/containers/0/resources/limits/nvidia.com~1gpu", "4")),
            StringComparison.Ordinal);

    [Fact]
    public void Check_UsersOwnOddResourcesBesideTheGpu_AreNotJudged()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["containers"]![0]!["resources"]!["requests"]!["example.com/fpga"] = "1";
        pod["spec"]!["initContainers"] = JsonNode.Parse("""[{"name":"i","resources":{"requests":{"nvidia.com/gpu":"1"}}}]""");

        Assert.Null(Check(pod, Op("replace", "/spec/containers/0/resources/limits/nvidia.com~1gpu", "1")));
    }

    [Fact]
    public void Check_DuplicateTolerationsTheUserWrote_DoNotBlockTheWebhooksOwn()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        var tolerations = pod["spec"]!["tolerations"]!.AsArray();
        tolerations.Add(tolerations[0]!.DeepClone());

        Assert.Null(Check(pod, Op("add", "/spec/tolerations/-", NewToleration)));
    }

    [Fact]
    public void Check_AddingATolerationThePodAlreadyHas_ReportsIt()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        var existing = pod["spec"]!["tolerations"]![0]!.DeepClone();

        Assert.Contains("repeats a toleration the pod already has", Check(pod, Op("add", "/spec/tolerations/-", existing)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"key":1}""")]
    [InlineData("""{"key":"k","operator":"Exists","tolerationSeconds":"300"}""")]
    [InlineData("""{"key":"k","operator":"Exists","tolerationSeconds":1.5}""")]
    [InlineData("""{"key":"k","operator":"Maybe"}""")]
    [InlineData("""{"key":"k","operator":"Exists","effect":"Sometimes"}""")]
    [InlineData("""{"operator":"Equal","value":"v"}""")]
    [InlineData("""{"key":"k","operator":"Exists","extra":true}""")]
    [InlineData("\"x\"")]
    public void Check_InvalidTolerationWritten_ReportsIt(string toleration) =>
        Assert.NotNull(Check(Fixtures.Pod(Fixtures.GpuWorker), Op("add", "/spec/tolerations/-", JsonNode.Parse(toleration))));

    [Theory]
    [InlineData("""{"value":"void"}""")]
    [InlineData("""{"name":""}""")]
    [InlineData("""{"name":"B","value":3}""")]
    [InlineData("""{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}""")]
    public void Check_InvalidEnvVarWritten_ReportsIt(string variable) =>
        Assert.Contains(
            "is not an environment variable",
            Check(Fixtures.Pod(Fixtures.HeadWithAutoscaler), Op("add", "/spec/containers/0/env/-", JsonNode.Parse(variable))),
            StringComparison.Ordinal);

    [Fact]
    public void Check_EnvVarThePodAlreadyHas_ReportsIt()
    {
        var pod = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
        pod["spec"]!["containers"]![0]!["env"]!.AsArray().Add(new JsonObject { ["name"] = "NVIDIA_VISIBLE_DEVICES", ["value"] = "all" });

        Assert.Contains(
            "would be set twice",
            Check(pod, Op("add", "/spec/containers/0/env/-", new JsonObject { ["name"] = "NVIDIA_VISIBLE_DEVICES", ["value"] = "void" })),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UsersOwnOddEnv_IsNotJudged()
    {
        var pod = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
        pod["spec"]!["containers"]![0]!["env"]!.AsArray().Add(JsonNode.Parse("""{"name":"A","value":null,"odd":[1]}"""));

        Assert.Null(Check(pod, Op("add", "/spec/containers/0/env/-", new JsonObject { ["name"] = "NVIDIA_VISIBLE_DEVICES", ["value"] = "void" })));
    }

    [Fact]
    public void Check_ArgsReplacedWithANumber_ReportsIt() =>
        Assert.Equal("/spec/containers/0/args/0: is not a string", Check(Fixtures.Pod(Fixtures.GpuWorker), Op("replace", "/spec/containers/0/args/0", 1)));

    [Fact]
    public void Check_AnnotationNotString_ReportsPath() =>
        Assert.Equal(
            "/metadata/annotations: raygpu.io~1policy: is not a string",
            Check(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), Op("add", "/metadata/annotations", new JsonObject { ["raygpu.io/policy"] = 3 })));

    [Theory]
    [InlineData("""{"key":"k","operator":"Near","values":["a"]}""", "node selector requirement")]
    [InlineData("""{"key":"k","operator":"In","values":[1]}""", "values must be a list of strings")]
    [InlineData("""{"key":"pool","operator":"In","values":["system"]}""", "same requirement twice")]
    public void Check_InvalidOrRepeatedRequirementWritten_ReportsIt(string requirement, string messagePart)
    {
        var pod = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
        pod["spec"]!["affinity"] = JsonNode.Parse("""{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"pool","operator":"In","values":["system"]}]}]}}}""");

        Assert.Contains(
            messagePart,
            Check(pod, Op("add", "/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/-", JsonNode.Parse(requirement))),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/spec/containers/0")]
    [InlineData("/spec/volumes")]
    [InlineData("/spec/initContainers/0/env")]
    public void Check_APlaceTheWebhookNeverWrites_ReportsIt(string path)
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["initContainers"] = JsonNode.Parse("""[{"name":"i"}]""");

        Assert.Contains("never writes", Check(pod, Op("add", path, new JsonArray())), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SixteenThousandTolerations_OnePassAndCorrect()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        var tolerations = new JsonArray();
        for (var i = 0; i < 16_000; i++)
        {
            tolerations.Add(new JsonObject { ["key"] = $"k{i % 8_000}", ["operator"] = "Exists" });
        }

        pod["spec"]!["tolerations"] = tolerations;

        Assert.Null(Check(pod, Op("add", "/spec/tolerations/-", NewToleration)));
        Assert.NotNull(Check(pod, Op("add", "/spec/tolerations/-", new JsonObject { ["key"] = "k7", ["operator"] = "Exists" })));
    }

    [Fact]
    public void Check_Cancelled_Throws()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        var patch = new[] { Op("add", "/spec/tolerations/-", NewToleration) };
        JsonPatchApplier.Apply(pod, patch);

        Assert.Throws<OperationCanceledException>(() => PatchProof.Check(pod, patch, new CancellationToken(canceled: true)));
    }

    private static JsonPatchOperation Op(string op, string path, JsonNode? value) => new(op, path, value);

    private static string? Check(JsonObject pod, params JsonPatchOperation[] patch)
    {
        // "-" appends; the proof needs the index the operation landed at, as the builder writes it.
        var resolved = new List<JsonPatchOperation>();
        foreach (var op in patch)
        {
            var resolvedOp = op;
            if (op.Path.EndsWith("/-", StringComparison.Ordinal))
            {
                var parent = op.Path[..^2];
                var array = Resolve(pod, parent) as JsonArray ?? throw new InvalidOperationException(parent);
                resolvedOp = op with { Path = $"{parent}/{array.Count}" };
            }

            JsonPatchApplier.Apply(pod, [resolvedOp]);
            resolved.Add(resolvedOp);
        }

        return PatchProof.Check(pod, resolved, CancellationToken.None);
    }

    private static JsonNode? Resolve(JsonNode node, string pointer)
    {
        JsonNode? current = node;
        foreach (var segment in JsonPointer.Parse(pointer))
        {
            current = current is JsonArray a ? a[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)] : current?[segment];
        }

        return current;
    }
}
