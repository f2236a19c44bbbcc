using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>Every scenario applies the patch with an independent RFC 6902 implementation, checks the result,
/// and runs the mutator again on that result to prove it yields no further operations.</summary>
public class PodMutatorTests
{
    private const string MlTeam = "ml-team";

    [Fact]
    public void Head_WithoutGpu_AvoidsGpuNodesHidesGpusAndIsAnnotated()
    {
        var (result, pod) = Mutate(Fixtures.Pod(Fixtures.HeadWithAutoscaler), TestPolicies.ExamplePolicy);

        Assert.Equal(RayPodKind.Head, result.Kind);
        var expression = Assert.Single(Terms(pod))!["matchExpressions"]!.AsArray().Single()!.AsObject();
        Assert.Equal("nvidia.com/gpu.present", expression["key"]!.GetValue<string>());
        Assert.Equal("NotIn", expression["operator"]!.GetValue<string>());
        Assert.Equal("true", expression["values"]![0]!.GetValue<string>());
        foreach (var container in pod["spec"]!["containers"]!.AsArray())
        {
            Assert.Equal("void", EnvValue(container!.AsObject(), "NVIDIA_VISIBLE_DEVICES"));
        }

        Assert.Equal("default", Annotation(pod, "raygpu.io/policy"));
        Assert.Equal("false", Annotation(pod, "cluster-autoscaler.kubernetes.io/safe-to-evict"));
        Assert.Equal("annotations,hide-gpus,node-affinity", result.AuditAnnotations["changes"]);
        Assert.DoesNotContain(pod["spec"]!["tolerations"]!.AsArray(), t => t!["key"]?.GetValue<string>() == "nvidia.com/gpu");
    }

    [Fact]
    public void Head_EveryChangeIsExplainedInAWarning()
    {
        var (result, _) = Mutate(Fixtures.Pod(Fixtures.HeadWithAutoscaler), TestPolicies.ExamplePolicy);

        Assert.Contains("required node affinity nvidia.com/gpu.present NotIn [true] (the Ray head stays off GPU nodes)", result.Warnings);
        Assert.Contains(result.Warnings, w => w.StartsWith("set NVIDIA_VISIBLE_DEVICES=void on container ray-head:", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.StartsWith("set NVIDIA_VISIBLE_DEVICES=void on container autoscaler:", StringComparison.Ordinal));
        Assert.Contains("added annotation cluster-autoscaler.kubernetes.io/safe-to-evict=false (head policy)", result.Warnings);
    }

    [Fact]
    public void Worker_EveryChangeIsExplainedInAWarning()
    {
        var (result, _) = Mutate(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), TestPolicies.ExamplePolicy);

        Assert.Contains("added toleration nvidia.com/gpu:NoSchedule so the pod can run on tainted GPU nodes", result.Warnings);
        Assert.Contains("added toleration ray.io/node-type=worker:NoSchedule so the pod can run on tainted GPU nodes", result.Warnings);
        Assert.Contains("added nodeSelector nvidia.com/gpu.product=NVIDIA-A10G (profile a10g)", result.Warnings);
        Assert.Contains(result.Warnings, w => w.StartsWith("set --num-gpus=1 in ray start of container ray-worker", StringComparison.Ordinal));
        Assert.Equal(5, result.Warnings.Count);
    }

    [Fact]
    public void Head_ExistingAffinityTerms_RequirementAndedIntoEveryTerm()
    {
        var head = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
        head["spec"]!["affinity"] = JsonNode.Parse("""
            {"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
              {"matchExpressions":[{"key":"pool","operator":"In","values":["system"]}]},
              {"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}]}}}
            """);

        var (_, pod) = Mutate(head, GpuPolicy.Default);

        var terms = Terms(pod);
        Assert.Equal(2, terms.Count);
        Assert.Equal(2, terms[0]!["matchExpressions"]!.AsArray().Count);
        Assert.Equal("nvidia.com/gpu.present", terms[1]!["matchExpressions"]![0]!["key"]!.GetValue<string>());
        Assert.NotNull(terms[1]!["matchFields"]);
    }

    [Fact]
    public void Head_UserAlreadyChoseVisibleDevices_IsKept()
    {
        var head = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
        head["spec"]!["containers"]![0]!["env"]!.AsArray().Add(new JsonObject { ["name"] = "NVIDIA_VISIBLE_DEVICES", ["value"] = "none" });

        var (_, pod) = Mutate(head, GpuPolicy.Default);

        Assert.Equal("none", EnvValue(pod["spec"]!["containers"]![0]!.AsObject(), "NVIDIA_VISIBLE_DEVICES"));
        Assert.Equal("void", EnvValue(pod["spec"]!["containers"]![1]!.AsObject(), "NVIDIA_VISIBLE_DEVICES"));
    }

    [Fact]
    public void Head_WithGpuLimit_IsTreatedAsGpuPod()
    {
        var head = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
        head["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"] = "1";

        var (_, pod) = Mutate(head, GpuPolicy.Default);

        Assert.Null(pod["spec"]!["affinity"]);
        Assert.Contains(pod["spec"]!["tolerations"]!.AsArray(), t => t!["key"]!.GetValue<string>() == "ray.io/node-type");
        Assert.Null(EnvValue(pod["spec"]!["containers"]![0]!.AsObject(), "NVIDIA_VISIBLE_DEVICES"));
    }

    [Fact]
    public void Head_PolicySwitchesProtectionOff_IsUnchanged()
    {
        var policy = TestPolicies.Parse("version: v1\nhead: {avoidGpuNodes: false, hideGpus: false}");

        var result = PodMutator.Mutate(Fixtures.Pod(Fixtures.HeadWithAutoscaler), MlTeam, policy);

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Empty(result.Patch);
    }

    [Fact]
    public void GpuWorker_DefaultPolicy_GetsGpuTolerationsOnly()
    {
        var original = Fixtures.Pod(Fixtures.GpuWorker);

        var (result, pod) = Mutate(original, GpuPolicy.Default);

        var tolerations = pod["spec"]!["tolerations"]!.AsArray();
        Assert.Equal(4, tolerations.Count);
        Assert.Equal("nvidia.com/gpu", tolerations[2]!["key"]!.GetValue<string>());
        Assert.Equal("worker", tolerations[3]!["value"]!.GetValue<string>());
        Assert.Equal(Args(original), Args(pod));
        Assert.Equal("default", Annotation(pod, "raygpu.io/policy"));
        Assert.Equal("default", result.AuditAnnotations["profile"]);
        Assert.All(result.Patch, op => Assert.StartsWith("/", op.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void GpuWorker_MatchedByRuleWithSameCount_GetsProfileSelectorsWithoutGpuChange()
    {
        var (result, pod) = Mutate(Fixtures.Pod(Fixtures.GpuWorker), TestPolicies.ExamplePolicy);

        Assert.Equal("a10g", result.Profile);
        Assert.Equal("NVIDIA-A10G", pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]!.GetValue<string>());
        Assert.Equal("a10g", Annotation(pod, "raygpu.io/policy"));
        Assert.DoesNotContain(result.Patch, op => op.Path.Contains("resources", StringComparison.Ordinal));
    }

    [Fact]
    public void WorkerWithoutGpuLimit_MatchedByRule_GetsGpusAndRayStaysInStep()
    {
        var (result, pod) = Mutate(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), TestPolicies.ExamplePolicy);

        var container = pod["spec"]!["containers"]![0]!.AsObject();
        Assert.Equal("1", container["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<string>());
        Assert.Equal("1", container["resources"]!["requests"]!["nvidia.com/gpu"]!.GetValue<string>());
        Assert.Contains("ray start --num-gpus=1 ", Args(pod), StringComparison.Ordinal);
        Assert.StartsWith("ray start --num-gpus=1 ", EnvValue(container, "KUBERAY_GEN_RAY_START_CMD"), StringComparison.Ordinal);
        Assert.Contains(result.Patch, op => op.Path == "/spec/containers/0/resources/limits/nvidia.com~1gpu" && op.Op == "add");
        Assert.Contains(pod["spec"]!["tolerations"]!.AsArray(), t => t!["key"]!.GetValue<string>() == "nvidia.com/gpu");
        Assert.Equal("NVIDIA-A10G", pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]!.GetValue<string>());
        Assert.Equal("gpu-limit,node-selector,num-gpus,tolerations", result.AuditAnnotations["changes"]);
        Assert.Contains(result.Warnings, w => w.Contains("set 1 GPU(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Worker_InOtherNamespace_RuleDoesNotMatch()
    {
        var result = PodMutator.Mutate(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), "default", TestPolicies.ExamplePolicy);

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Null(result.Profile);
    }

    [Fact]
    public void CpuWorker_NoRuleMatches_IsUnchanged()
    {
        var result = PodMutator.Mutate(Fixtures.Pod(Fixtures.CpuWorker), MlTeam, TestPolicies.ExamplePolicy);

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Empty(result.Patch);
        Assert.Equal("default", result.AuditAnnotations["profile"]);
    }

    [Fact]
    public void ProfileAnnotation_Enforced_ReplacesCountEverywhere()
    {
        var worker = WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "h100x8");

        var (result, pod) = Mutate(worker, TestPolicies.ExamplePolicy);

        var container = pod["spec"]!["containers"]![0]!.AsObject();
        Assert.Equal("8", container["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<string>());
        Assert.Equal("8", container["resources"]!["requests"]!["nvidia.com/gpu"]!.GetValue<string>());
        Assert.Contains("--num-gpus=8", Args(pod), StringComparison.Ordinal);
        Assert.DoesNotContain("--num-gpus=1", Args(pod), StringComparison.Ordinal);
        Assert.Contains("--num-gpus=8", EnvValue(container, "KUBERAY_GEN_RAY_START_CMD"), StringComparison.Ordinal);
        Assert.Contains(pod["spec"]!["tolerations"]!.AsArray(), t => t!["key"]!.GetValue<string>() == "dedicated");
        Assert.Equal("topology.kubernetes.io/zone", Terms(pod)[0]!["matchExpressions"]![0]!["key"]!.GetValue<string>());
        Assert.Equal("h100x8", Annotation(pod, "raygpu.io/policy"));
        Assert.Contains(result.Warnings, w => w.Contains("was 1", StringComparison.Ordinal));
    }

    [Fact]
    public void ProfileAnnotation_NotEnforced_KeepsUsersCountWithWarning()
    {
        var worker = WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "a10g");
        worker["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"] = "2";
        worker["spec"]!["containers"]![0]!["resources"]!["requests"]!["nvidia.com/gpu"] = "2";

        var (result, pod) = Mutate(worker, TestPolicies.ExamplePolicy);

        Assert.Equal("2", pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<string>());
        Assert.Contains(result.Warnings, w => w.StartsWith("kept 2 GPU(s)", StringComparison.Ordinal));
        Assert.Equal("NVIDIA-A10G", pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]!.GetValue<string>());
    }

    [Fact]
    public void ProfileAnnotation_BeatsRules()
    {
        var worker = WithAnnotation(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), "raygpu.io/profile", "h100x8");

        var (result, _) = Mutate(worker, TestPolicies.ExamplePolicy);

        Assert.Equal("h100x8", result.Profile);
    }

    [Fact]
    public void ProfileAnnotation_Unknown_IsDeniedNamingKnownProfiles()
    {
        var worker = WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "a100");

        var result = PodMutator.Mutate(worker, MlTeam, TestPolicies.ExamplePolicy);

        Assert.Equal(MutationDecision.Denied, result.Decision);
        Assert.Empty(result.Patch);
        Assert.Contains("\"a100\"", result.Message, StringComparison.Ordinal);
        Assert.Contains("known profiles: a10g, h100x8", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Fixtures.RedisCleanup)]
    [InlineData(Fixtures.RayJobSubmitter)]
    [InlineData(Fixtures.PlainPod)]
    public void NonRayPods_AreUntouched(string fixture)
    {
        var pod = Fixtures.Pod(fixture);
        pod["metadata"]!["annotations"] = new JsonObject { ["raygpu.io/profile"] = "unknown" };

        var result = PodMutator.Mutate(pod, MlTeam, TestPolicies.ExamplePolicy);

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Equal(RayPodKind.NotRay, result.Kind);
        Assert.Empty(result.Patch);
        Assert.Empty(result.AuditAnnotations);
    }

    [Fact]
    public void NodeSelector_ConflictingUserValue_IsKeptWithWarning()
    {
        var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        worker["spec"]!["nodeSelector"] = new JsonObject { ["nvidia.com/gpu.product"] = "Tesla-T4" };

        var (result, pod) = Mutate(worker, TestPolicies.ExamplePolicy);

        Assert.Equal("Tesla-T4", pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]!.GetValue<string>());
        Assert.Contains(result.Warnings, w => w.Contains("kept nodeSelector nvidia.com/gpu.product=Tesla-T4", StringComparison.Ordinal));
    }

    [Fact]
    public void Tolerations_AlreadyPresentWithOmittedOperator_AreNotDuplicated()
    {
        var worker = Fixtures.Pod(Fixtures.GpuWorker);
        worker["spec"]!["tolerations"]!.AsArray().Add(JsonNode.Parse("""{"key":"ray.io/node-type","value":"worker","effect":"NoSchedule"}"""));
        worker["spec"]!["tolerations"]!.AsArray().Add(JsonNode.Parse("""{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}"""));

        var result = PodMutator.Mutate(worker, "default", GpuPolicy.Default);

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
    }

    [Fact]
    public void Worker_WithoutTolerationsOrResources_GetsParentsCreated()
    {
        var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        worker["spec"]!.AsObject().Remove("tolerations");
        worker["spec"]!["containers"]![0]!.AsObject().Remove("resources");
        worker["metadata"]!.AsObject().Remove("annotations");

        var (result, pod) = Mutate(worker, TestPolicies.ExamplePolicy);

        Assert.Equal("1", pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<string>());
        Assert.Null(pod["spec"]!["containers"]![0]!["resources"]!["requests"]);
        Assert.Equal(2, pod["spec"]!["tolerations"]!.AsArray().Count);
        Assert.Contains(result.Patch, op => op.Path == "/spec/tolerations" && op.Value is JsonArray);
        Assert.Contains(result.Patch, op => op.Path == "/metadata/annotations" && op.Value is JsonObject);
    }

    [Fact]
    public void Worker_CustomCommandWithoutRayStart_GpuSetWithWarning()
    {
        var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        worker["spec"]!["containers"]![0]!["args"] = new JsonArray("python serve.py");

        var (result, pod) = Mutate(worker, TestPolicies.ExamplePolicy);

        Assert.Equal("python serve.py", Args(pod));
        Assert.Contains(result.Warnings, w => w.Contains("no 'ray start' in args[0]", StringComparison.Ordinal));
        Assert.Equal("1", pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<string>());
    }

    [Fact]
    public void CustomGpuResourceName_IsEscapedInPaths()
    {
        var policy = TestPolicies.Parse("version: v1\ngpuResourceName: example.com/gpu\nprofiles: {one: {gpus: 1}}\nrules: [{profile: one}]");

        var (result, pod) = Mutate(Fixtures.Pod(Fixtures.CpuWorker), policy);

        Assert.Contains(result.Patch, op => op.Path == "/spec/containers/0/resources/limits/example.com~1gpu");
        Assert.Equal("1", pod["spec"]!["containers"]![0]!["resources"]!["requests"]!["example.com/gpu"]!.GetValue<string>());
    }

    [Fact]
    public void MalformedPod_FieldOfWrongType_Fails()
    {
        var worker = Fixtures.Pod(Fixtures.GpuWorker);
        worker["spec"]!["tolerations"] = "none";

        var result = PodMutator.Mutate(worker, MlTeam, GpuPolicy.Default);

        Assert.Equal(MutationDecision.Failed, result.Decision);
        Assert.Empty(result.Patch);
        Assert.Contains("/spec/tolerations", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RayPodWithoutContainers_Fails()
    {
        var worker = Fixtures.Pod(Fixtures.GpuWorker);
        worker["spec"]!["containers"] = new JsonArray();

        var result = PodMutator.Mutate(worker, MlTeam, GpuPolicy.Default);

        Assert.Equal(MutationDecision.Failed, result.Decision);
        Assert.Contains("no containers", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsersOwnInvalidResource_DoesNotBlockThePatch()
    {
        // requests without a limit for an extended resource: the API server judges that, with or without the
        // webhook; refusing the patch for it would only let the pod escape the policy.
        var worker = Fixtures.Pod(Fixtures.CpuWorker);
        worker["spec"]!["containers"]![0]!["resources"]!["requests"]!["example.com/fpga"] = "1";

        var result = PodMutator.Mutate(worker, MlTeam, GpuPolicy.Default with { Profiles = new Dictionary<string, GpuProfile> { ["p"] = new("p", 1, false, new Dictionary<string, string>(), [], []) }, Rules = [new ProfileRule("p", null, null, null)] });

        Assert.Equal(MutationDecision.Patched, result.Decision);
        Assert.Contains(result.Patch, op => op.Path == "/spec/containers/0/resources/limits/nvidia.com~1gpu");
    }

    [Fact]
    public void Mutate_DoesNotModifyItsInput()
    {
        var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        var before = worker.ToJsonString();

        PodMutator.Mutate(worker, MlTeam, TestPolicies.ExamplePolicy);

        Assert.Equal(before, worker.ToJsonString());
    }

    [Fact]
    public void Warnings_AreShorterThan120Characters()
    {
        var policy = TestPolicies.Parse("""
            version: v1
            profiles:
              a-very-long-profile-name-that-goes-on-and-on-and-on-for-63-char:
                gpus: 3
            """);
        var worker = WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "a-very-long-profile-name-that-goes-on-and-on-and-on-for-63-char");

        var result = PodMutator.Mutate(worker, MlTeam, policy);

        Assert.NotEmpty(result.Warnings);
        Assert.All(result.Warnings, w => Assert.True(w.Length < 120, w));
    }

    private static (MutationResult Result, JsonObject Pod) Mutate(JsonObject pod, GpuPolicy policy) => IdempotentMutation.Mutate(pod, MlTeam, policy);

    private static JsonObject WithAnnotation(JsonObject pod, string key, string value)
    {
        var annotations = pod["metadata"]!["annotations"] as JsonObject ?? new JsonObject();
        annotations[key] = value;
        pod["metadata"]!["annotations"] = annotations;
        return pod;
    }

    private static string? Annotation(JsonObject pod, string key) => pod["metadata"]?["annotations"]?[key]?.GetValue<string>();

    private static string Args(JsonObject pod) => pod["spec"]!["containers"]![0]!["args"]![0]!.GetValue<string>();

    private static JsonArray Terms(JsonObject pod) =>
        pod["spec"]!["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]!.AsArray();

    private static string? EnvValue(JsonObject container, string name) =>
        container["env"]?.AsArray().FirstOrDefault(e => e!["name"]!.GetValue<string>() == name)?["value"]?.GetValue<string>();
}
