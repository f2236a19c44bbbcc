using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Admission;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Admission;

/// <summary>The admission fast path: which pods it answers itself (and that the answer is the general path's,
/// byte for byte), and which it leaves to the general path. <see cref="SparsePodEquivalenceTests"/> compares the
/// handler's answers with the full-pod mutator on every shape; this class makes sure the fast path is the one
/// answering the common ones, and covers bodies a JsonObject cannot produce (repeated and escaped names).</summary>
public class SparseWorkerMutationTests
{
    private const string A10g = "version: v1\nprofiles:\n  a10g:\n    gpus: 1\n    nodeSelector:\n      nvidia.com/gpu.product: NVIDIA-A10G\nrules:\n  - profile: a10g\n    clusters: [\"raycluster-*\"]";

    public static TheoryData<string, string, string> Answered() => new()
    {
        // The recorded KubeRay GPU worker the benchmarks use: tolerations, node selector and annotation added.
        { "recorded GPU worker", "hosting", A10g },
        { "GPU worker, example policy", Fixtures.GpuWorker, TestPolicies.Example },
        { "GPU worker, default policy", Fixtures.GpuWorker, "version: v1" },
        { "CPU worker", Fixtures.CpuWorker, TestPolicies.Example },
        { "plain pod", Fixtures.PlainPod, TestPolicies.Example },
        { "redis cleanup", Fixtures.RedisCleanup, TestPolicies.Example },
        { "RayJob submitter", Fixtures.RayJobSubmitter, TestPolicies.Example },
    };

    [Theory]
    [MemberData(nameof(Answered))]
    public void TryMutate_CommonPods_AnswersItselfWithTheGeneralPathsResult(string because, string podName, string policyYaml)
    {
        var (fast, general) = BothPaths(Body(podName), TestPolicies.Parse(policyYaml));

        Assert.True(fast is not null, $"{because}: left to the general path");
        MutationResultAssert.Same(general, fast);
    }

    [Fact]
    public void TryMutate_RecordedGpuWorker_PatchesTolerationsNodeSelectorAndAnnotation()
    {
        var (fast, _) = BothPaths(Body("hosting"), TestPolicies.Parse(A10g));

        Assert.Equal(MutationDecision.Patched, fast!.Decision);
        Assert.Equal(
            ["/spec/tolerations/2", "/spec/tolerations/3", "/spec/nodeSelector", "/metadata/annotations/raygpu.io~1policy"],
            fast.Patch.Select(op => op.Path));
        Assert.Equal("node-selector,tolerations", fast.AuditAnnotations["changes"]);
    }

    public static TheoryData<string, string, string> LeftToTheGeneralPath() => new()
    {
        { "a head", Fixtures.HeadWithAutoscaler, TestPolicies.Example },
        { "a GPU count to set and --num-gpus to rewrite", Fixtures.WorkerWithoutGpuLimit, TestPolicies.Example },
        { "a profile with node affinity", Fixtures.GpuWorker, "version: v1\nprofiles:\n  z:\n    gpus: 1\n    nodeAffinity: [{key: zone, operator: In, values: [a]}]\nrules: [{profile: z}]" },
        { "a count kept with a warning", Fixtures.GpuWorker, "version: v1\nprofiles:\n  two: {gpus: 2}\nrules: [{profile: two}]" },
    };

    [Theory]
    [MemberData(nameof(LeftToTheGeneralPath))]
    public void TryMutate_WhatOnlyTheGeneralPathDoes_ReturnsNull(string because, string podName, string policyYaml)
    {
        var (fast, _) = BothPaths(Body(podName), TestPolicies.Parse(policyYaml));

        Assert.True(fast is null, $"{because}: answered on the fast path");
    }

    public static TheoryData<string, string> ByteLevelShapes() => new()
    {
        { "a repeated annotation", """{"metadata":{"annotations":{"a":"1","a":"2"},"labels":LABELS},"spec":SPEC}""" },
        { "an escaped annotation name", """{"metadata":{"annotations":{"raygpu.io\/profile":"a10g"},"labels":LABELS},"spec":SPEC}""" },
        { "a repeated node selector key", """{"metadata":{"labels":LABELS},"spec":{"nodeSelector":{"k":"a","k":"b"},"containers":CONTAINERS}}""" },
        { "a repeated toleration field", """{"metadata":{"labels":LABELS},"spec":{"tolerations":[{"key":"a","key":"b"}],"containers":CONTAINERS}}""" },
        { "a repeated GPU limit", """{"metadata":{"labels":LABELS},"spec":{"containers":[{"name":"ray","resources":{"limits":{"nvidia.com/gpu":"1","nvidia.com/gpu":"2"}}}]}}""" },
        { "a repeated spec, the last one not an object", """{"metadata":{"labels":LABELS},"spec":SPEC,"spec":"later"}""" },
    };

    [Theory]
    [MemberData(nameof(ByteLevelShapes))]
    public void TryMutate_NamesAJsonObjectCannotHold_LeavesThemToTheGeneralPath(string because, string pod)
    {
        const string Labels = """{"ray.io/node-type":"worker","ray.io/cluster":"raycluster-a","ray.io/group":"gpu-group"}""";
        const string Containers = """[{"name":"ray","resources":{"limits":{"nvidia.com/gpu":"1"},"requests":{"nvidia.com/gpu":"1"}}}]""";
        var json = pod.Replace("LABELS", Labels, StringComparison.Ordinal)
            .Replace("SPEC", $$"""{"containers":{{Containers}}}""", StringComparison.Ordinal)
            .Replace("CONTAINERS", Containers, StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes($$$"""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","resource":{"group":"","version":"v1","resource":"pods"},"namespace":"ml-team","object":{{{json}}}}}""");
        var request = AdmissionRequest.Parse(body);

        var fast = SparseWorkerMutation.TryMutate(request.Pod!, body, request.Namespace, TestPolicies.Parse(A10g));

        Assert.True(fast is null, $"{because}: answered on the fast path");
    }

    [Fact]
    public void TryMutate_EscapedValues_AreReadDecoded()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["metadata"]!["labels"]!["ray.io/cluster"] = "raycluster-<a+b>";
        pod["spec"]!["nodeSelector"] = new JsonObject { ["nvidia.com/gpu.product"] = "NVIDIA+A10G" };
        var body = Fixtures.ReviewBytes(pod);
        Assert.Contains("\\u002B", Encoding.UTF8.GetString(body), StringComparison.Ordinal);

        var (fast, general) = BothPaths(body, TestPolicies.Parse(A10g));

        MutationResultAssert.Same(general, fast ?? throw new InvalidOperationException("left to the general path"));
        Assert.Equal("raycluster-<a+b>", fast.Cluster);
        Assert.Contains("kept nodeSelector nvidia.com/gpu.product=NVIDIA+A10G; the policy asks for NVIDIA-A10G", fast.Warnings);
    }

    [Fact]
    public void TryMutate_OneProfileUnderTwoGpuPodsPolicies_UsesEachPolicysSelectors()
    {
        // What the fast path builds once per profile depends on gpuPods too: a profile object shared by two
        // policies must not carry one policy's node selector into the other's answers.
        var first = TestPolicies.Parse("version: v1\ngpuPods: {nodeSelector: {pool: gpu-a}}\nprofiles: {p: {gpus: 1}}\nrules: [{profile: p}]");
        var second = first with { GpuPods = first.GpuPods with { NodeSelector = new Dictionary<string, string> { ["pool"] = "gpu-b" } } };

        var (a, _) = BothPaths(Body(Fixtures.GpuWorker), first);
        var (b, general) = BothPaths(Body(Fixtures.GpuWorker), second);

        Assert.Contains("added nodeSelector pool=gpu-a (profile p)", a!.Warnings);
        Assert.Contains("added nodeSelector pool=gpu-b (profile p)", b!.Warnings);
        MutationResultAssert.Same(general, b);
    }

    [Fact]
    public void TryMutate_ManyThreadsAtOnce_GiveTheSameAnswerAsOneThread()
    {
        // The policy's tolerations and node selectors are built into JSON once and shared by every answer.
        var policy = TestPolicies.Parse(A10g);
        var body = Body("hosting");
        var expected = Encoding.UTF8.GetString(JsonPatchSerializer.ToUtf8Json(BothPaths(body, policy).Fast!.Patch));

        var answers = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var request = AdmissionRequest.Parse(body);
            var result = SparseWorkerMutation.TryMutate(request.Pod!, body, request.Namespace, policy)!;
            answers.Add(Encoding.UTF8.GetString(JsonPatchSerializer.ToUtf8Json(result.Patch)));
        });

        Assert.All(answers, answer => Assert.Equal(expected, answer));
    }

    private static byte[] Body(string podName) => podName == "hosting"
        ? File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Hosting", "Pods", "gpu-worker-admission-review.json"))
        : Fixtures.ReviewBytes(Fixtures.Pod(podName));

    /// <summary>The fast path's answer, and the general path's on the same request's sparse pod.</summary>
    private static (MutationResult? Fast, MutationResult General) BothPaths(byte[] body, GpuPolicy policy)
    {
        var request = AdmissionRequest.Parse(body);
        var fast = SparseWorkerMutation.TryMutate(request.Pod!, body, request.Namespace, policy);
        var general = PodMutator.Mutate(request.Pod!.ToJsonObject(body), request.Namespace, policy);
        return (fast, general);
    }
}
