using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Manifests.KubeRay;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>The custom-resource caller: every group template of a RayCluster, RayJob and RayService through the
/// one core. Every patch is applied with the independent RFC 6902 implementation, and a second run on the result
/// yields no operations.</summary>
public class RayResourceMutatorTests
{
    private const string Namespace = "ml-team";

    public static TheoryData<string, string> Kinds() => new()
    {
        { ResourceFixtures.RayCluster, "/spec" },
        { ResourceFixtures.RayJob, "/spec/rayClusterSpec" },
        { ResourceFixtures.RayService, "/spec/rayClusterConfig" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Mutate_Create_EveryGroupTemplateGetsThePolicyAndThePatchIsIdempotent(string fixture, string specPointer)
    {
        var resource = ResourceFixtures.Resource(fixture);

        var result = Mutate(resource);

        Assert.Equal(MutationDecision.Patched, result.Decision);
        Assert.All(result.Patch, op => Assert.StartsWith(specPointer + "/", op.Path, StringComparison.Ordinal));
        var mutated = IndependentJsonPatch.Apply(resource, result.Patch);
        Assert.True(JsonNode.DeepEquals(mutated, result.Mutated), "the independent RFC 6902 implementation disagrees");
        var again = Mutate(mutated);
        Assert.Equal(MutationDecision.Unchanged, again.Decision);
        Assert.Empty(again.Patch);

        var cluster = ClusterSpec(mutated, fixture);
        var head = cluster["headGroupSpec"]!["template"]!;
        Assert.Contains(head["spec"]!["containers"]![0]!["env"]!.AsArray(), e => (string?)e!["name"] == "NVIDIA_VISIBLE_DEVICES" && (string?)e["value"] == "void");
        var gpu = Group(cluster, "gpu-a10g");
        Assert.Equal("a10g", (string?)gpu["template"]!["metadata"]!["annotations"]![PolicyAnnotations.Profile]);
        Assert.Equal("NVIDIA-A10G", (string?)gpu["template"]!["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);
        Assert.Contains(gpu["template"]!["spec"]!["tolerations"]!.AsArray(), t => (string?)t!["key"] == "nvidia.com/gpu");
        Assert.True(JsonNode.DeepEquals(Group(ClusterSpec(resource, fixture), "cpu"), Group(cluster, "cpu")), "the CPU group must stay as it was");
    }

    [Fact]
    public void Mutate_RuleMatchedGroupWithoutLimits_LimitRayStartParamsAndGroupResourcesAgree()
    {
        var result = Mutate(ResourceFixtures.Resource(ResourceFixtures.RayCluster));

        var group = Group(result.Mutated!["spec"]!, "gpu-auto");
        Assert.Equal("1", (string?)group["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("1", (string?)group["rayStartParams"]!["num-gpus"]);
        Assert.Equal("1", (string?)group["resources"]!["GPU"]);
        Assert.Equal("8", (string?)group["resources"]!["CPU"]);
        Assert.Contains(result.Warnings, w => w.StartsWith("group gpu-auto: set rayStartParams[\"num-gpus\"]=1", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Warnings, w => w.Contains("ray start", StringComparison.Ordinal));
    }

    [Fact]
    public void Mutate_GroupParamsDisagreeWithAKeptLimitUnderWarn_WarnsAndKeepsThem()
    {
        var resource = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        Group(resource["spec"]!, "gpu-a10g")["rayStartParams"]!["num-gpus"] = "2";
        var policy = TestPolicies.Parse(TestPolicies.Example + "\nray: {numGpus: warn}");

        var result = Mutate(resource, policy);

        Assert.Equal("2", (string?)Group(result.Mutated!["spec"]!, "gpu-a10g")["rayStartParams"]!["num-gpus"]);
        Assert.Contains(result.Warnings, w => w.Contains("rayStartParams[\"num-gpus\"] is 2 but the GPU limit is 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Mutate_RayJob_ClusterNameIsTheRayJobsName()
    {
        var policy = TestPolicies.Parse("version: v1\nprofiles: {two: {gpus: 2}}\nrules: [{profile: two, clusters: [train], groups: [cpu]}]");

        var result = Mutate(ResourceFixtures.Resource(ResourceFixtures.RayJob), policy);

        Assert.Equal("train", result.Cluster);
        var cpu = Group(result.Mutated!["spec"]!["rayClusterSpec"]!, "cpu");
        Assert.Equal("2", (string?)cpu["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("two", (string?)cpu["template"]!["metadata"]!["annotations"]![PolicyAnnotations.Profile]);
    }

    [Fact]
    public void Mutate_SuspendedRayJob_IsMutatedLikeAnyOther()
    {
        var resource = ResourceFixtures.Resource(ResourceFixtures.RayJob);
        resource["spec"]!["suspend"] = true;

        var result = Mutate(resource);

        Assert.Equal(MutationDecision.Patched, result.Decision);
        Assert.Equal(
            JsonPatchSerializer.ToUtf8Json(Mutate(ResourceFixtures.Resource(ResourceFixtures.RayJob)).Patch),
            JsonPatchSerializer.ToUtf8Json(result.Patch));
    }

    [Fact]
    public void Mutate_RayJobOnAnExistingCluster_NothingToMutateAndNoWarning()
    {
        var result = Mutate(ResourceFixtures.Resource(ResourceFixtures.RayJobOnExistingCluster));

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Empty(result.Patch);
        Assert.Empty(result.Warnings);
        Assert.Empty(result.Groups);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "no spec", """{"apiVersion":"ray.io/v1","kind":"RayCluster","metadata":{"name":"x"}}""" },
        { "spec not an object", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":[1]}""" },
        { "no groups", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{}}""" },
        { "empty group list", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"workerGroupSpecs":[]}}""" },
        { "groups not a list", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"workerGroupSpecs":{"a":1}}}""" },
        { "head not an object", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"headGroupSpec":"h"}}""" },
        { "empty template", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"headGroupSpec":{"template":{}}}}""" },
        { "template a string", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"headGroupSpec":{"template":"pod"}}}""" },
        { "template null", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"headGroupSpec":{"template":null}}}""" },
        { "containers not objects", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"headGroupSpec":{"template":{"spec":{"containers":[7]}}}}}""" },
        { "worker without name", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"workerGroupSpecs":[{"template":{"spec":{"containers":[{"name":"w"}]}}}]}}""" },
        { "good head, broken worker", """{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"headGroupSpec":{"template":{"spec":{"containers":[{"name":"h"}]}}},"workerGroupSpecs":[{"groupName":"g","template":[]}]}}""" },
        { "RayJob without cluster", """{"kind":"RayJob","metadata":{"name":"x"},"spec":{"entrypoint":"e"}}""" },
        { "RayService cluster not an object", """{"kind":"RayService","metadata":{"name":"x"},"spec":{"rayClusterConfig":3}}""" },
        { "not an object", "[]" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Mutate_Malformed_AllowedUntouchedWithAWarning(string shape, string json)
    {
        var node = JsonNode.Parse(json);
        var kind = node is JsonObject o ? (string?)o["kind"] ?? "RayCluster" : "RayCluster";

        var result = RayResourceMutator.Mutate(kind, ResourceFixtures.Element(node), default, Namespace, TestPolicies.ExamplePolicy, keepMutated: false, CancellationToken.None);

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Empty(result.Patch);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("untouched", warning, StringComparison.Ordinal);
        Assert.True(warning.Length < 120, shape);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Mutate_PodsKubeRayBuildsFromTheMutatedTemplates_PassThePodWebhookWithNoOperations(string fixture, string specPointer)
    {
        _ = specPointer;
        var policy = TestPolicies.ExamplePolicy;
        var mutated = Mutate(ResourceFixtures.Resource(fixture), policy).Mutated!;

        var previews = RayPodPreviewBuilder.Build(mutated, Namespace);

        Assert.Equal(4, previews.Count);
        foreach (var preview in previews)
        {
            var atPodLevel = PodMutator.Mutate(preview.Pod, preview.Namespace, policy);
            var paths = JsonSerializer.Serialize(atPodLevel.Patch.Select(p => p.Path));

            Assert.True(atPodLevel.Patch.Count == 0, $"{preview.Group}: {paths}");
        }
    }

    public static TheoryData<string, string, string?, string> AutoscalerOptionsShapes()
    {
        var data = new TheoryData<string, string, string?, string>();
        foreach (var fixture in new[] { ResourceFixtures.RayCluster, ResourceFixtures.RayJob, ResourceFixtures.RayService })
        {
            var spec = fixture switch
            {
                ResourceFixtures.RayJob => "/spec/rayClusterSpec",
                ResourceFixtures.RayService => "/spec/rayClusterConfig",
                _ => "/spec",
            };
            data.Add(fixture, "absent", null, spec + "/autoscalerOptions");
            data.Add(fixture, "null", "null", spec + "/autoscalerOptions");
            data.Add(fixture, "without env", """{"idleTimeoutSeconds": 60}""", spec + "/autoscalerOptions/env");
            data.Add(fixture, "null env", """{"env": null}""", spec + "/autoscalerOptions/env");
            data.Add(fixture, "other env", """{"env": [{"name": "AUTOSCALER_LOG_LEVEL", "value": "debug"}], "envFrom": [{"configMapRef": {"name": "x"}}]}""", spec + "/autoscalerOptions/env/-");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AutoscalerOptionsShapes))]
    public void Mutate_HeadWithInTreeAutoscaling_HidesGpusFromTheSidecarThroughAutoscalerOptionsEnv(string fixture, string shape, string? options, string path)
    {
        var resource = ResourceFixtures.Resource(fixture);
        if (options is not null)
        {
            ClusterSpec(resource, fixture)["autoscalerOptions"] = JsonNode.Parse(options);
        }

        var result = Mutate(resource);

        var operation = Assert.Single(result.Patch, op => op.Path.Contains("autoscalerOptions", StringComparison.Ordinal));
        Assert.Equal(("add", path), (operation.Op, operation.Path));
        var mutated = IndependentJsonPatch.Apply(resource, result.Patch);
        Assert.True(JsonNode.DeepEquals(mutated, result.Mutated), shape);
        var env = ClusterSpec(mutated, fixture)["autoscalerOptions"]!["env"]!.AsArray();
        Assert.Single(env, e => (string?)e!["name"] == "NVIDIA_VISIBLE_DEVICES" && (string?)e!["value"] == "void");
        Assert.Contains(result.Warnings, w => w.Contains("autoscalerOptions.env", StringComparison.Ordinal));
        var again = Mutate(mutated);
        Assert.Empty(again.Patch);

        var head = RayPodPreviewBuilder.Build(mutated, Namespace).Single(p => p.Group == "headgroup").Pod;
        var sidecar = head["spec"]!["containers"]!.AsArray().Single(c => (string?)c!["name"] == "autoscaler")!;
        Assert.Contains(sidecar["env"]!.AsArray(), e => (string?)e!["name"] == "NVIDIA_VISIBLE_DEVICES" && (string?)e!["value"] == "void");
        Assert.Empty(PodMutator.Mutate(head, Namespace, TestPolicies.ExamplePolicy).Patch);
    }

    [Theory]
    [InlineData("user value", true, """{"env": [{"name": "NVIDIA_VISIBLE_DEVICES", "value": "none"}]}""")]
    [InlineData("no in-tree autoscaling", false, null)]
    public void Mutate_AutoscalerThatNeedsNothing_NoAutoscalerOptionsOperation(string shape, bool inTree, string? options)
    {
        var resource = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        resource["spec"]!["enableInTreeAutoscaling"] = inTree;
        if (options is not null)
        {
            resource["spec"]!["autoscalerOptions"] = JsonNode.Parse(options);
        }

        var result = Mutate(resource);

        Assert.NotEqual(MutationDecision.Failed, result.Decision);
        Assert.DoesNotContain(result.Patch, op => op.Path.Contains("autoscalerOptions", StringComparison.Ordinal));
        Assert.True(result.Patch.Count > 0, shape);
    }

    [Fact]
    public void Mutate_HeadWithAGpuLimit_LeavesTheAutoscalerAlone()
    {
        var resource = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        var ray = resource["spec"]!["headGroupSpec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
        ray["resources"] = new JsonObject { ["limits"] = new JsonObject { ["nvidia.com/gpu"] = "1" } };

        var result = Mutate(resource);

        Assert.DoesNotContain(result.Patch, op => op.Path.Contains("autoscalerOptions", StringComparison.Ordinal));
    }

    [Fact]
    public void Mutate_HideGpusOff_LeavesTheAutoscalerAlone()
    {
        var policy = TestPolicies.ExamplePolicy with { Head = TestPolicies.ExamplePolicy.Head with { HideGpus = false } };

        var result = Mutate(ResourceFixtures.Resource(ResourceFixtures.RayCluster), policy);

        Assert.DoesNotContain(result.Patch, op => op.Path.Contains("autoscalerOptions", StringComparison.Ordinal));
    }

    [Fact]
    public void Mutate_UpdateChangingOnlyReplicas_NoOperations()
    {
        var stored = Mutate(ResourceFixtures.Resource(ResourceFixtures.RayCluster)).Mutated!;
        var updated = stored.DeepClone().AsObject();
        Group(updated["spec"]!, "cpu")["replicas"] = 5;

        var result = Mutate(updated, old: stored);

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Empty(result.Patch);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 3)]
    public void Mutate_UpdateOfAClusterMadeBeforeThePolicy_ExistingGroupsOnlyWithUpdateExisting(bool updateExisting, int patchedGroups)
    {
        // A cluster stored unmutated (created before the webhook or the policy), updated without a template change.
        var stored = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        var updated = stored.DeepClone().AsObject();
        Group(updated["spec"]!, "cpu")["replicas"] = 5;
        var policy = TestPolicies.ExamplePolicy with { CustomResources = new CustomResourcePolicy(updateExisting) };

        var result = Mutate(updated, policy, old: stored);

        Assert.Equal(patchedGroups, result.Groups.Count(g => g.Template?.Decision == MutationDecision.Patched));
        Assert.Equal(patchedGroups == 0, result.Patch.Count == 0);
    }

    [Fact]
    public void Mutate_UpdateAddingAGroup_OnlyTheNewGroupIsMutated()
    {
        var stored = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        var updated = stored.DeepClone().AsObject();
        var added = Group(updated["spec"]!, "gpu-auto").DeepClone().AsObject();
        added["groupName"] = "gpu-new";
        updated["spec"]!["workerGroupSpecs"]!.AsArray().Add(added);

        var result = Mutate(updated, old: stored);

        Assert.Equal(MutationDecision.Patched, result.Decision);
        Assert.All(result.Patch, op => Assert.StartsWith("/spec/workerGroupSpecs/3/", op.Path, StringComparison.Ordinal));
        var mutated = IndependentJsonPatch.Apply(updated, result.Patch);
        Assert.Equal("1", (string?)Group(mutated["spec"]!, "gpu-new")["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
    }

    [Fact]
    public void Mutate_UpdateChangingAGroupTemplate_ThatGroupIsMutated()
    {
        var stored = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        var updated = stored.DeepClone().AsObject();
        Group(updated["spec"]!, "gpu-a10g")["template"]!["spec"]!["containers"]![0]!["image"] = "rayproject/ray:2.47.0-gpu";

        var result = Mutate(updated, old: stored);

        Assert.All(result.Patch, op => Assert.StartsWith("/spec/workerGroupSpecs/0/", op.Path, StringComparison.Ordinal));
        Assert.NotEmpty(result.Patch);
    }

    [Fact]
    public void Mutate_ManyGroups_EveryGroupPatchedAndThePatchApplies()
    {
        var resource = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        var groups = resource["spec"]!["workerGroupSpecs"]!.AsArray();
        var template = Group(resource["spec"]!, "gpu-auto");
        for (var i = 0; i < 300; i++)
        {
            var copy = template.DeepClone().AsObject();
            copy["groupName"] = $"gpu-many-{i}";
            groups.Add(copy);
        }

        var result = Mutate(resource);

        Assert.Equal(304, result.Groups.Count);
        var mutated = IndependentJsonPatch.Apply(resource, result.Patch);
        Assert.All(
            mutated["spec"]!["workerGroupSpecs"]!.AsArray().Where(g => ((string)g!["groupName"]!).StartsWith("gpu-many-", StringComparison.Ordinal)),
            g => Assert.Equal("1", (string?)g!["rayStartParams"]!["num-gpus"]));
        Assert.Empty(Mutate(mutated).Patch);
    }

    [Fact]
    public void Mutate_UpdateExistingOnAMutatedCluster_NoOperations()
    {
        var policy = TestPolicies.ExamplePolicy with { CustomResources = new CustomResourcePolicy(true) };
        var stored = Mutate(ResourceFixtures.Resource(ResourceFixtures.RayCluster), policy).Mutated!;

        var result = Mutate(stored.DeepClone().AsObject(), policy, old: stored);

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Empty(result.Patch);
    }

    [Fact]
    public void Mutate_UpdateWithARepeatedGroupName_EachCopyIsMatchedByName()
    {
        // The CRD schema does not forbid two groups of one name (KubeRay's validation does): each copy is compared
        // with the stored group of that name, so an identical copy is left alone and a changed one is mutated.
        var stored = ResourceFixtures.Resource(ResourceFixtures.RayCluster);
        var updated = stored.DeepClone().AsObject();
        var copy = Group(updated["spec"]!, "gpu-auto").DeepClone().AsObject();
        var changed = copy.DeepClone().AsObject();
        updated["spec"]!["workerGroupSpecs"]!.AsArray().Add(copy);
        changed["template"]!["spec"]!["containers"]![0]!["image"] = "rayproject/ray:2.47.0-gpu";
        updated["spec"]!["workerGroupSpecs"]!.AsArray().Add(changed);

        var result = Mutate(updated, old: stored);

        Assert.NotEmpty(result.Patch);
        Assert.All(result.Patch, op => Assert.StartsWith("/spec/workerGroupSpecs/4/", op.Path, StringComparison.Ordinal));
        IndependentJsonPatch.Apply(updated, result.Patch);
    }

    private const string Tenancy = """
        version: v1
        profiles:
          shared: {gpus: 1}
          reserved: {gpus: 8, namespaces: [team-a]}
        """;

    [Fact]
    public void Mutate_CreateSelectingAProfileTheNamespaceMayNotUse_Denied()
    {
        var resource = WithProfile(ResourceFixtures.Resource(ResourceFixtures.RayCluster), "reserved");

        var result = Mutate(resource, TestPolicies.Parse(Tenancy));

        Assert.Equal(MutationDecision.Denied, result.Decision);
        Assert.Contains("group gpu-a10g", result.Message, StringComparison.Ordinal);
        Assert.Empty(result.Patch);
    }

    [Fact]
    public void Mutate_UpdateKeepingAProfileTheNamespaceMayNoLongerUse_AllowedWithAWarning()
    {
        var stored = WithProfile(ResourceFixtures.Resource(ResourceFixtures.RayCluster), "reserved");
        var updated = stored.DeepClone().AsObject();
        Group(updated["spec"]!, "gpu-a10g")["template"]!["spec"]!["containers"]![0]!["image"] = "rayproject/ray:2.47.0-gpu";

        var result = Mutate(updated, TestPolicies.Parse(Tenancy), old: stored);

        Assert.NotEqual(MutationDecision.Denied, result.Decision);
        Assert.Contains(result.Warnings, w => w.StartsWith("group gpu-a10g: left as it is", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith("/spec/workerGroupSpecs/0/", StringComparison.Ordinal));
    }

    [Fact]
    public void Mutate_UpdateSwitchingToAProfileTheNamespaceMayNotUse_Denied()
    {
        var stored = WithProfile(ResourceFixtures.Resource(ResourceFixtures.RayCluster), "shared");
        var updated = WithProfile(stored.DeepClone().AsObject(), "reserved");

        var result = Mutate(updated, TestPolicies.Parse(Tenancy), old: stored);

        Assert.Equal(MutationDecision.Denied, result.Decision);
    }

    private static JsonObject WithProfile(JsonObject resource, string profile)
    {
        var template = Group(resource["spec"]!, "gpu-a10g")["template"]!.AsObject();
        template["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [PolicyAnnotations.Profile] = profile } };
        return resource;
    }

    private static RayResourceResult Mutate(JsonObject resource, GpuPolicy? policy = null, JsonObject? old = null) =>
        RayResourceMutator.Mutate(
            (string)resource["kind"]!,
            ResourceFixtures.Element(resource),
            ResourceFixtures.Element(old),
            Namespace,
            policy ?? TestPolicies.ExamplePolicy,
            keepMutated: true,
            CancellationToken.None);

    private static JsonNode ClusterSpec(JsonObject resource, string fixture) => fixture switch
    {
        ResourceFixtures.RayJob => resource["spec"]!["rayClusterSpec"]!,
        ResourceFixtures.RayService => resource["spec"]!["rayClusterConfig"]!,
        _ => resource["spec"]!,
    };

    private static JsonObject Group(JsonNode clusterSpec, string name) =>
        clusterSpec["workerGroupSpecs"]!.AsArray().Single(g => (string?)g!["groupName"] == name)!.AsObject();
}
