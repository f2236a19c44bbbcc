using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>MIG resources (DECISIONS 7): a MIG resource as the policy's GPU resource works like whole GPUs, and
/// <c>--num-gpus</c> is the total of MIG instances the Ray container asks for, for every MIG name, the suffixed
/// profiles KubeRay misses included. Each patch is applied independently and the mutator proven idempotent.</summary>
public class MigMutationTests
{
    private const string MlTeam = "ml-team";

    private const string MigPolicy = """
        version: v1
        gpuResourceName: nvidia.com/mig-1g.10gb
        profiles:
          slice: {gpus: 2, enforce: true}
        rules:
          - {profile: slice, namespaces: ["ml-*"], groups: ["gpu-*"]}
        """;

    [Fact]
    public void MigPolicyResource_ProfileSetsInstancesAndRayCountsThem()
    {
        var (result, pod) = Mutate(WithLimits(Fixtures.Pod(Fixtures.GpuWorker), ("nvidia.com/mig-1g.10gb", "1")), TestPolicies.Parse(MigPolicy));

        var container = pod["spec"]!["containers"]![0]!.AsObject();
        Assert.Equal("2", container["resources"]!["limits"]!["nvidia.com/mig-1g.10gb"]!.GetValue<string>());
        Assert.Equal("2", container["resources"]!["requests"]!["nvidia.com/mig-1g.10gb"]!.GetValue<string>());
        Assert.Contains(result.Patch, op => op.Path == "/spec/containers/0/resources/limits/nvidia.com~1mig-1g.10gb");
        Assert.Contains("--num-gpus=2 ", Args(pod), StringComparison.Ordinal);
        Assert.Contains("--num-gpus=2 ", EnvValue(container, "KUBERAY_GEN_RAY_START_CMD"), StringComparison.Ordinal);
        Assert.Equal("gpu-limit,num-gpus,tolerations", result.AuditAnnotations["changes"]);
    }

    [Fact]
    public void MigPolicyResource_WorkerWithoutLimit_GetsInstancesAndRayCount()
    {
        var (_, pod) = Mutate(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), TestPolicies.Parse(MigPolicy));

        var container = pod["spec"]!["containers"]![0]!.AsObject();
        Assert.Equal("2", container["resources"]!["limits"]!["nvidia.com/mig-1g.10gb"]!.GetValue<string>());
        Assert.Null(container["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Contains("--num-gpus=2 ", Args(pod), StringComparison.Ordinal);
    }

    /// <summary>The policy stays on nvidia.com/gpu; the pod asks for MIG devices itself and Ray said 1.</summary>
    [Theory]
    [InlineData("3", "nvidia.com/mig-1g.10gb=3")]
    [InlineData("2", "nvidia.com/mig-1g.10gb.me=2")]
    [InlineData("2", "nvidia.com/mig-1g.10gb-me=2")]
    [InlineData("4", "nvidia.com/mig-1g.10gb.gfx=4")]
    [InlineData("5", "nvidia.com/mig-1g.10gb=2", "nvidia.com/mig-3g.40gb=1", "nvidia.com/mig-2g.20gb.me=2")]
    [InlineData("3", "nvidia.com/gpu=1", "nvidia.com/mig-1g.10gb=2")]
    public void MigLimits_NumGpusIsTheTotalOfInstances(string expected, params string[] limits)
    {
        var pod = WithLimits(Fixtures.Pod(Fixtures.GpuWorker), [.. limits.Select(l => (l.Split('=')[0], l.Split('=')[1]))]);
        var policy = TestPolicies.Parse("version: v1\nray: {numGpus: fix}");

        var (result, mutated) = Mutate(pod, policy);

        Assert.Contains($"--num-gpus={expected} ", Args(mutated), StringComparison.Ordinal);
        Assert.Contains($"--num-gpus={expected} ", EnvValue(mutated["spec"]!["containers"]![0]!.AsObject(), "KUBERAY_GEN_RAY_START_CMD"), StringComparison.Ordinal);
        Assert.Contains("num-gpus", result.AuditAnnotations["changes"], StringComparison.Ordinal);
        Assert.Contains(result.Warnings, w => w.Contains($"--num-gpus={expected}", StringComparison.Ordinal));
    }

    [Fact]
    public void MigLimitAlreadyInStep_IsNotRewritten()
    {
        var pod = WithLimits(Fixtures.Pod(Fixtures.GpuWorker), ("nvidia.com/mig-1g.10gb.me", "1"));

        var result = PodMutator.Mutate(pod, MlTeam, TestPolicies.Parse("version: v1"));

        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith("/spec/containers/0/args", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith("/spec/containers/0/env", StringComparison.Ordinal));
    }

    [Fact]
    public void MigLimitNotACount_LeavesRayAlone()
    {
        var pod = WithLimits(Fixtures.Pod(Fixtures.GpuWorker), ("nvidia.com/mig-1g.10gb", "1"), ("nvidia.com/mig-3g.40gb", "500m"));

        var result = PodMutator.Mutate(pod, MlTeam, TestPolicies.Parse("version: v1"));

        Assert.DoesNotContain(result.Patch, op => op.Path.StartsWith("/spec/containers/0/args", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nvidia.com/mig-1g.10gb", true)]
    [InlineData("nvidia.com/mig-1g.10gb.me", true)]
    [InlineData("nvidia.com/mig-7g.80gb+gfx", true)]
    [InlineData("nvidia.com/mig-", false)]
    [InlineData("nvidia.com/migration", false)]
    [InlineData("example.com/mig-1g.10gb", false)]
    [InlineData("nvidia.com/gpu", false)]
    public void IsMigResource_RecognisesNvidiaMigNamesOnly(string name, bool expected) =>
        Assert.Equal(expected, ContainerGpus.IsMigResource(name));

    [Fact]
    public void HugeMigLimits_DoNotOverflowIntoACount()
    {
        var container = new JsonObject
        {
            ["resources"] = new JsonObject
            {
                ["limits"] = new JsonObject { ["nvidia.com/mig-1g.10gb"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), ["nvidia.com/mig-2g.20gb"] = "2" },
            },
        };

        Assert.Null(ContainerGpus.Devices(container, TestPolicies.Parse("version: v1"), out var present));
        Assert.True(present);
        Assert.True(ContainerGpus.Has(container, TestPolicies.Parse("version: v1")));
    }

    /// <summary>Replaces the Ray container's GPU limits and requests with <paramref name="limits"/>.</summary>
    private static JsonObject WithLimits(JsonObject pod, params (string Name, string Value)[] limits)
    {
        var resources = pod["spec"]!["containers"]![0]!["resources"]!.AsObject();
        foreach (var section in new[] { "limits", "requests" })
        {
            var map = resources[section]!.AsObject();
            map.Remove("nvidia.com/gpu");
            foreach (var (name, value) in limits)
            {
                map[name] = value;
            }
        }

        return pod;
    }

    private static (MutationResult Result, JsonObject Pod) Mutate(JsonObject pod, GpuPolicy policy) => IdempotentMutation.Mutate(pod, MlTeam, policy);

    private static string Args(JsonObject pod) => pod["spec"]!["containers"]![0]!["args"]![0]!.GetValue<string>();

    private static string? EnvValue(JsonObject container, string name) =>
        container["env"]?.AsArray().FirstOrDefault(e => e!["name"]!.GetValue<string>() == name)?["value"]?.GetValue<string>();
}
