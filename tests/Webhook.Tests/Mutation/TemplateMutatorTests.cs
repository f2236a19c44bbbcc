using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Admission;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>The ways a valid pod escaped the policy, each through the admission handler or the core.</summary>
public class TemplateMutatorTests
{
    private const string MlTeam = "ml-team";
    private const string RayStartArgs = "ulimit -n 65536; ray start  --address=h:6379  --block  --num-cpus=8  --num-gpus=2 ";
    private const string RayStartEnv = "ray start  --address=h:6379  --block  --num-cpus=8  --num-gpus=2 ";

    private const string TenancyPolicy = """
        version: v1
        profiles:
          h100:
            gpus: 8
            enforce: true
            namespaces: ["team-h100", "research-*"]
            tolerations:
              - {key: dedicated, operator: Equal, value: h100, effect: NoSchedule}
        rules:
          - {profile: h100, namespaces: ["batch"]}
        """;

    [Fact]
    public void DuplicateTolerationInThePod_PodIsStillMutated()
    {
        // Kubernetes accepts a repeated toleration; the webhook's own check used to refuse its patch for it.
        var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        var tolerations = worker["spec"]!["tolerations"]!.AsArray();
        tolerations.Add(tolerations[0]!.DeepClone());

        var (outcome, pod) = Admit(worker, TestPolicies.ExamplePolicy);

        Assert.NotEqual(AdmissionOutcome.Error, outcome.Decision);
        Assert.Equal("1", (string?)pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Contains(pod["spec"]!["tolerations"]!.AsArray(), t => (string?)t!["key"] == "nvidia.com/gpu");
        Assert.Equal("NVIDIA-A10G", (string?)pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);
    }

    [Theory]
    [InlineData(8_000)]
    [InlineData(16_000)]
    public void ThousandsOfTolerations_AnsweredWithTheRightPatch(int count)
    {
        var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        var tolerations = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            // Half of them repeated, as a pod may.
            tolerations.Add(new JsonObject { ["key"] = $"example.com/taint-{i % (count / 2)}", ["operator"] = "Exists", ["effect"] = "NoSchedule" });
        }

        tolerations.Add(new JsonObject { ["key"] = "nvidia.com/gpu", ["operator"] = "Exists", ["effect"] = "NoSchedule" });
        worker["spec"]!["tolerations"] = tolerations;

        var (outcome, pod) = Admit(worker, TestPolicies.ExamplePolicy);

        Assert.NotEqual(AdmissionOutcome.Error, outcome.Decision);
        var added = outcome.Mutation!.Patch.Where(op => op.Path.StartsWith("/spec/tolerations/", StringComparison.Ordinal)).ToList();
        var only = Assert.Single(added);
        Assert.Equal($"/spec/tolerations/{count + 1}", only.Path);
        Assert.Equal("ray.io/node-type", (string?)only.Value!["key"]);
        Assert.Equal(count + 2, pod["spec"]!["tolerations"]!.AsArray().Count);
    }

    [Fact]
    public void CancelledRequest_TheWorkStops()
    {
        var body = Fixtures.ReviewBytes(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => Handler(TestPolicies.ExamplePolicy).Handle(body, cancelled.Token));
    }

    [Fact]
    public void ProfileOutsideItsNamespaces_IsDeniedNamingTheProfileAndTheNamespaces()
    {
        var worker = WithProfile(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), "h100");

        var result = PodMutator.Mutate(worker, "team-a10g", TestPolicies.Parse(TenancyPolicy));

        Assert.Equal(MutationDecision.Denied, result.Decision);
        Assert.Empty(result.Patch);
        Assert.Equal("raygpu.io/profile: GPU profile \"h100\" may be selected only in namespaces team-h100, research-*; this pod is in \"team-a10g\"", result.Message);
    }

    [Theory]
    [InlineData("team-h100")]
    [InlineData("research-vision")]
    public void ProfileInsideItsNamespaces_IsApplied(string ns)
    {
        var worker = WithProfile(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), "h100");

        var result = PodMutator.Mutate(worker, ns, TestPolicies.Parse(TenancyPolicy));

        Assert.Equal(MutationDecision.Patched, result.Decision);
        Assert.Equal("8", (string?)result.MutatedPod!["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
    }

    [Fact]
    public void ProfileSelectedByARule_KeepsTheRulesOwnNamespaceMatching()
    {
        var result = PodMutator.Mutate(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), "batch", TestPolicies.Parse(TenancyPolicy));

        Assert.Equal(MutationDecision.Patched, result.Decision);
        Assert.Equal("h100", result.Profile);
    }

    [Fact]
    public void ProfileWithoutNamespaces_AnyNamespaceMaySelectIt()
    {
        var worker = WithProfile(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), "h100x8");

        Assert.Equal(MutationDecision.Patched, PodMutator.Mutate(worker, "anyone", TestPolicies.ExamplePolicy).Decision);
    }

    [Fact]
    public void TenancyDenial_ThroughTheHandler_IsA403()
    {
        var worker = WithProfile(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), "h100");

        var (outcome, _) = Admit(worker, TestPolicies.Parse(TenancyPolicy));

        Assert.Equal(AdmissionOutcome.Denied, outcome.Decision);
        var response = JsonNode.Parse(outcome.ResponseBody)!["response"]!;
        Assert.Equal(403, (int)response["status"]!["code"]!);
        Assert.Contains("team-h100, research-*", (string?)response["status"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void NumGpusDisagreeingWithTheLimit_IsCorrectedInArgsAndEnv()
    {
        // rayStartParams {num-gpus: "2"} with nvidia.com/gpu: 1: KubeRay writes the user's 2.
        var worker = WithRayStart(Fixtures.Pod(Fixtures.GpuWorker));

        var result = PodMutator.Mutate(worker, "elsewhere", GpuPolicy.Default);

        Assert.Equal(MutationDecision.Patched, result.Decision);
        var pod = IndependentJsonPatch.Apply(worker, result.Patch);
        Assert.Contains("--num-gpus=1 ", (string?)pod["spec"]!["containers"]![0]!["args"]![0], StringComparison.Ordinal);
        Assert.DoesNotContain("--num-gpus=2", (string?)pod["spec"]!["containers"]![0]!["args"]![0], StringComparison.Ordinal);
        Assert.Contains("--num-gpus=1 ", EnvValue(pod, RayEnv.GeneratedStartCommand), StringComparison.Ordinal);
        Assert.Contains("set --num-gpus=1 in ray start of container ray-worker (was 2): its GPU limit is 1", result.Warnings);
        Assert.Contains("num-gpus", result.AuditAnnotations["changes"], StringComparison.Ordinal);
        Assert.Equal(MutationDecision.Unchanged, PodMutator.Mutate(pod, "elsewhere", GpuPolicy.Default).Decision);
    }

    [Fact]
    public void NumGpusDisagreeing_WarnMode_KeepsTheFlagAndWarns()
    {
        var worker = WithRayStart(Fixtures.Pod(Fixtures.GpuWorker));
        var policy = TestPolicies.Parse("version: v1\nray: {numGpus: warn}");

        var result = PodMutator.Mutate(worker, "elsewhere", policy);

        Assert.DoesNotContain(result.Patch, op => op.Path.Contains("args", StringComparison.Ordinal) || op.Path.Contains("env", StringComparison.Ordinal));
        Assert.Contains("ray start of container ray-worker says --num-gpus=2 but its GPU limit is 1 (ray.numGpus: warn)", result.Warnings);
    }

    [Fact]
    public void NumGpusDisagreeing_OnATemplateDeepInADocument_IsCorrectedThere()
    {
        var worker = WithRayStart(Fixtures.Pod(Fixtures.GpuWorker));
        var cluster = new JsonObject { ["spec"] = new JsonObject { ["workerGroupSpecs"] = new JsonArray(new JsonObject { ["template"] = worker }) } };
        using var document = JsonDocument.Parse(cluster.ToJsonString());
        var template = document.RootElement.GetProperty("spec").GetProperty("workerGroupSpecs")[0].GetProperty("template");

        var result = TemplateMutator.Mutate(template, "/spec/workerGroupSpecs/0/template", new RayPod(RayPodKind.Worker, "c", "g"), "ns", GpuPolicy.Default, keepMutated: false, CancellationToken.None);

        Assert.Contains(result.Patch, op => op.Path == "/spec/workerGroupSpecs/0/template/spec/containers/0/args/0");
        var patched = IndependentJsonPatch.Apply(cluster, result.Patch);
        Assert.Contains("--num-gpus=1 ", (string?)patched["spec"]!["workerGroupSpecs"]![0]!["template"]!["spec"]!["containers"]![0]!["args"]![0], StringComparison.Ordinal);
    }

    [Fact]
    public void NumGpusAgreeing_NoOperations()
    {
        var result = PodMutator.Mutate(Fixtures.Pod(Fixtures.GpuWorker), "elsewhere", GpuPolicy.Default with { GpuPods = new GpuPodPolicy([], new Dictionary<string, string>()) });

        Assert.Equal(MutationDecision.Unchanged, result.Decision);
        Assert.Empty(result.Patch);
    }

    [Fact]
    public void TemplateThatIsNoObject_Fails()
    {
        using var document = JsonDocument.Parse("[1]");

        var result = TemplateMutator.Mutate(document.RootElement, "/spec/template", new RayPod(RayPodKind.Worker, "c", "g"), "ns", GpuPolicy.Default, keepMutated: false, CancellationToken.None);

        Assert.Equal(MutationDecision.Failed, result.Decision);
        Assert.Contains("/spec/template is a Array", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"ray.io/cluster\":\"llm-train\"", "\"ray.io/cluster\":\"llm-\\ud800\"")]
    [InlineData("\"tolerations\":[", "\"tolerations\":[{\"key\":\"\\udc00\",\"operator\":\"Exists\"},")]
    [InlineData("\"name\":\"ray-worker\"", "\"name\":\"ray-\\ud800\"")]
    public void LoneSurrogateEscapesInThePod_AnsweredWithoutAnInternalError(string find, string replace)
    {
        // Valid JSON, but no .NET string: a client may send it; the answer must still come from the core.
        var pod = Fixtures.Pod(Fixtures.GpuWorker).ToJsonString();
        var odd = pod.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(pod, odd);
        var body = Encoding.UTF8.GetBytes(Fixtures.Review(new JsonObject()).ToJsonString().Replace("\"object\":{}", $"\"object\":{odd}", StringComparison.Ordinal));

        var outcome = Handler(TestPolicies.ExamplePolicy).Handle(body);

        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", outcome.Uid);
        Assert.NotEqual(AdmissionOutcome.Error, outcome.Decision);
    }

    private static JsonObject WithProfile(JsonObject pod, string profile)
    {
        var annotations = pod["metadata"]!["annotations"] as JsonObject ?? new JsonObject();
        annotations[PolicyAnnotations.Profile] = profile;
        pod["metadata"]!["annotations"] = annotations;
        return pod;
    }

    private static JsonObject WithRayStart(JsonObject pod)
    {
        var container = pod["spec"]!["containers"]![0]!;
        container["args"] = new JsonArray(RayStartArgs);
        foreach (var variable in container["env"]!.AsArray())
        {
            if ((string?)variable!["name"] == RayEnv.GeneratedStartCommand)
            {
                variable["value"] = RayStartEnv;
            }
        }

        return pod;
    }

    private static string EnvValue(JsonObject pod, string name) =>
        (string?)pod["spec"]!["containers"]![0]!["env"]!.AsArray().Single(e => (string?)e!["name"] == name)!["value"] ?? string.Empty;

    private static (AdmissionOutcome Outcome, JsonObject Pod) Admit(JsonObject pod, GpuPolicy policy)
    {
        var review = Fixtures.Review(pod);
        var outcome = Handler(policy).Handle(Encoding.UTF8.GetBytes(review.ToJsonString()));
        var patch = JsonNode.Parse(outcome.ResponseBody)!["response"]!["patch"];
        return (outcome, patch is null ? pod : IndependentJsonPatch.Apply(pod, Convert.FromBase64String((string)patch!)));
    }

    private static AdmissionHandler Handler(GpuPolicy policy) => TestHandlers.For(policy, OnErrorAction.Deny);
}
