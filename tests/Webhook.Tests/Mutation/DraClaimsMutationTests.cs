using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>Dynamic Resource Allocation (docs/dra.md): a Ray worker that takes its devices from ResourceClaims gets
/// no GPU limit from a profile (it would ask the node for a second set of GPUs) and a warning that Ray counts GPUs
/// from that limit; a worker asking for nvidia.com/gpu, which the extended-resource mapping may serve from DRA, is
/// handled as before. At pod level and in the group templates of a RayCluster.</summary>
public class DraClaimsMutationTests
{
    private const string MlTeam = "ml-team";
    private const string GpuLimitPath = "/spec/containers/0/resources/limits/nvidia.com~1gpu";

    private static JsonObject WithPodClaims(JsonObject template, JsonArray claims)
    {
        template["spec"]!.AsObject()["resourceClaims"] = claims;
        return template;
    }

    private static JsonObject WithContainerClaims(JsonObject template, JsonArray claims)
    {
        template["spec"]!["containers"]![0]!["resources"]!.AsObject()["claims"] = claims;
        return template;
    }

    private static JsonArray PodClaims() => [new JsonObject { ["name"] = "gpus", ["resourceClaimTemplateName"] = "two-nvlinked-gpus" }];

    private static JsonArray ContainerClaims() => [new JsonObject { ["name"] = "gpus" }];

    public static TheoryData<string> ClaimPlacements() => ["pod", "container", "both"];

    private static JsonObject WorkerWithClaims(string placement)
    {
        var pod = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        if (placement is "pod" or "both")
        {
            WithPodClaims(pod, PodClaims());
        }

        if (placement is "container" or "both")
        {
            WithContainerClaims(pod, ContainerClaims());
        }

        return pod;
    }

    [Theory]
    [MemberData(nameof(ClaimPlacements))]
    public void PodWorkerWithClaims_RuleWouldAddGpus_GetsNoLimitAndAWarningAboutRaysCount(string placement)
    {
        var result = PodMutator.Mutate(WorkerWithClaims(placement), MlTeam, TestPolicies.ExamplePolicy);

        Assert.Equal("a10g", result.Profile);
        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith("/spec/containers/0/resources", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith("/spec/containers/0/args", StringComparison.Ordinal));
        Assert.DoesNotContain("gpu-limit", result.AuditAnnotations.GetValueOrDefault("changes", ""), StringComparison.Ordinal);
        Assert.Contains("container ray-worker takes its devices from resourceClaims (DRA): no GPU limit added from profile a10g", result.Warnings);
        Assert.Contains("Ray counts GPUs by the nvidia.com/gpu limit; set rayStartParams num-gpus to the claimed GPUs", result.Warnings);
        Assert.All(result.Warnings, w => Assert.True(w.Length <= MutationContext.MaxWarningLength, w));
    }

    /// <summary>The claims are served on the GPU nodes: the profile's placement still applies, so the worker is not
    /// left Pending in front of the GPU nodes' taints.</summary>
    [Theory]
    [MemberData(nameof(ClaimPlacements))]
    public void PodWorkerWithClaims_RuleGivesAProfile_GetsTheGpuPlacement(string placement)
    {
        var (_, mutated) = IdempotentMutation.Mutate(WorkerWithClaims(placement), MlTeam, TestPolicies.ExamplePolicy);

        Assert.Contains(mutated["spec"]!["tolerations"]!.AsArray(), t => (string?)t!["key"] == "nvidia.com/gpu");
        Assert.Equal("NVIDIA-A10G", (string?)mutated["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);
        Assert.Null(mutated["spec"]!["containers"]![0]!["resources"]!["limits"]?["nvidia.com/gpu"]);
    }

    /// <summary>No rule names the worker's group: it is no GPU pod, claims or not.</summary>
    [Fact]
    public void PodWorkerWithClaims_NoRuleMatches_IsLeftAlone()
    {
        var result = PodMutator.Mutate(WorkerWithClaims("both"), "other-team", TestPolicies.ExamplePolicy);

        Assert.Null(result.Profile);
        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith("/spec/tolerations", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith("/spec/nodeSelector", StringComparison.Ordinal));
    }

    [Fact]
    public void PodWorkerWithClaims_MutatedTwice_StaysUnchanged()
    {
        var pod = WorkerWithClaims("both");

        var (_, mutated) = IdempotentMutation.Mutate(pod, MlTeam, TestPolicies.ExamplePolicy);
        var second = PodMutator.Mutate(mutated, MlTeam, TestPolicies.ExamplePolicy);

        Assert.Empty(second.Patch);
        Assert.Equal(MutationDecision.Unchanged, second.Decision);
    }

    /// <summary>Empty claim lists are no claims: the rule's GPU limit is added as before.</summary>
    [Fact]
    public void PodWorkerWithEmptyClaimLists_GetsTheRulesGpusAsBefore()
    {
        var pod = WithContainerClaims(WithPodClaims(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), []), []);

        var (result, mutated) = IdempotentMutation.Mutate(pod, MlTeam, TestPolicies.ExamplePolicy);

        Assert.Contains(result.Patch, op => op.Path == GpuLimitPath && op.Op == "add");
        Assert.Equal("1", (string?)mutated["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("resourceClaims", StringComparison.Ordinal));
    }

    /// <summary>The extended-resource mapping: the worker asks for nvidia.com/gpu (which DRA may serve); with or without
    /// claims for something else beside it, it is an ordinary GPU pod: tolerations, Ray in step, no DRA warning.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PodWorkerAskingNvidiaGpu_IsHandledAsAnyGpuPod(bool alsoClaims)
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        if (alsoClaims)
        {
            WithContainerClaims(WithPodClaims(pod, PodClaims()), ContainerClaims());
        }

        var (result, mutated) = IdempotentMutation.Mutate(pod, MlTeam, TestPolicies.ExamplePolicy);
        var (plain, _) = IdempotentMutation.Mutate(Fixtures.Pod(Fixtures.GpuWorker), MlTeam, TestPolicies.ExamplePolicy);

        Assert.Contains(mutated["spec"]!["tolerations"]!.AsArray(), t => (string?)t!["key"] == "nvidia.com/gpu");
        Assert.DoesNotContain(result.Warnings, w => w.Contains("resourceClaims", StringComparison.Ordinal));
        Assert.Equal(plain.Patch.Select(op => op.Path), result.Patch.Select(op => op.Path));
    }

    [Fact]
    public void RayClusterGroupWithClaims_GetsNoLimitNorNumGpus_OtherGroupsAsBefore()
    {
        var resource = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        var group = resource["spec"]!["workerGroupSpecs"]!.AsArray().Single(g => (string?)g!["groupName"] == "gpu-auto")!;
        var template = group["template"]!.AsObject();
        WithContainerClaims(WithPodClaims(template, PodClaims()), ContainerClaims());
        var index = resource["spec"]!["workerGroupSpecs"]!.AsArray().IndexOf(group);

        var result = RayResourceMutator.Mutate("RayCluster", ResourceFixtures.Element(resource), default, MlTeam, TestPolicies.ExamplePolicy, keepMutated: true, CancellationToken.None);

        Assert.NotEqual(MutationDecision.Failed, result.Decision);
        var prefix = $"/spec/workerGroupSpecs/{index}/";
        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith(prefix + "template/spec/containers/0/resources", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith(prefix + "rayStartParams", StringComparison.Ordinal));
        Assert.Contains("group gpu-auto: container ray-worker takes its devices from resourceClaims (DRA): no GPU limit added from profile a10g", result.Warnings);
        Assert.Contains("group gpu-auto: Ray counts GPUs by the nvidia.com/gpu limit; set rayStartParams num-gpus to the claimed GPUs", result.Warnings);

        // The group that asks for nvidia.com/gpu itself is mutated as before.
        var plain = RayResourceMutator.Mutate("RayCluster", ResourceFixtures.Element(ResourceFixtures.Resource(ResourceFixtures.RayCluster)), default, MlTeam, TestPolicies.ExamplePolicy, keepMutated: true, CancellationToken.None);
        Assert.Equal(
            plain.Patch.Where(op => !op.Path.StartsWith(prefix, StringComparison.Ordinal)).Select(op => op.Path),
            result.Patch.Where(op => !op.Path.StartsWith(prefix, StringComparison.Ordinal)).Select(op => op.Path));
        Assert.Contains(plain.Patch, op => op.Path.StartsWith(prefix + "template/spec/containers/0/resources", StringComparison.Ordinal));
    }
}
