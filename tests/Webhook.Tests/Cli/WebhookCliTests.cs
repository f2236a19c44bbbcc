using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Cli;
using Platform.Webhook.Manifests;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Cli;

public sealed class WebhookCliTests : IDisposable
{
    private static readonly string ExamplePolicy = RepositoryPaths.Get("examples", "policy.yaml");
    private static readonly string ExampleCluster = RepositoryPaths.Get("examples", "raycluster-gpu.yaml");
    private readonly string _dir = Directory.CreateTempSubdirectory("webhook-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(new[] { "mutate" }, true)]
    [InlineData(new[] { "check-policy", "x" }, true)]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--urls=https://0.0.0.0:8443" }, false)]
    [InlineData(new[] { "serve", "mutate" }, false)]
    public void IsCliCommand_OnlyForTheOfflineCommands(string[] args, bool expected) =>
        Assert.Equal(expected, WebhookCli.IsCliCommand(args));

    [Fact]
    public void Mutate_ReadmeQuickStart_PreviewsEveryGroupAndExitsZero()
    {
        var run = Run("mutate", "--policy", ExamplePolicy, ExampleCluster);

        Assert.Equal(0, run.Exit);
        Assert.Equal(string.Empty, run.Err);
        Assert.Contains("policy: " + ExamplePolicy + " (2 profiles, 2 rules)", run.Out, StringComparison.Ordinal);
        Assert.Contains("=== RayCluster/raycluster-gpu  group headgroup (head)  pod ml-team/raycluster-gpu-head-*", run.Out, StringComparison.Ordinal);
        Assert.Contains("=== RayCluster/raycluster-gpu  group gpu-infer (worker)", run.Out, StringComparison.Ordinal);
        // Both levels: the template patch first, then the pods KubeRay builds from the mutated templates, which the
        // pod level then leaves as they are.
        Assert.Contains("=== RayCluster/raycluster-gpu  (template level, when the resource is applied)", run.Out, StringComparison.Ordinal);
        Assert.Contains("add /spec/workerGroupSpecs/1/template/spec/containers/0/resources/limits/nvidia.com~1gpu \"1\"", run.Out, StringComparison.Ordinal);
        Assert.True(
            run.Out.IndexOf("(template level", StringComparison.Ordinal) < run.Out.IndexOf("group headgroup (head)", StringComparison.Ordinal),
            "the template level comes before the pods");
        Assert.Contains("summary: 4 pods: 0 patched, 4 unchanged, 0 denied, 0 failed (exit 0: all allowed)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_OutputYaml_GivesTheResultingPodsThatReadBack()
    {
        var run = Run("mutate", "--policy", ExamplePolicy, "--output", "yaml", ExampleCluster);

        Assert.Equal(0, run.Exit);
        var pods = ManifestReader.Read(run.Out, "out.yaml");
        Assert.Equal(4, pods.Count);
        var inferWorker = pods[2].Content!;
        var ray = inferWorker["spec"]!["containers"]![0]!;
        Assert.Equal("1", (string?)ray["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Contains("--num-gpus=1", (string)ray["args"]![0]!, StringComparison.Ordinal);
        Assert.Equal("NVIDIA-A10G", (string?)inferWorker["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);
    }

    [Fact]
    public void Mutate_OutputJson_HasOneObjectPerPod()
    {
        var run = Run("mutate", "--policy=" + ExamplePolicy, "-o", "json", ExampleCluster);

        var array = JsonNode.Parse(run.Out)!.AsArray();
        Assert.Equal(4, array.Count);
        // The pods are built from the templates the template level mutated: the pod level has nothing left to do.
        Assert.Equal(["unchanged", "unchanged", "unchanged", "unchanged"], array.Select(o => (string)o!["decision"]!));
        Assert.Equal("a10g", (string?)array[2]!["profile"]);
        Assert.Equal(JsonValueKind.Array, array[2]!["patch"]!.GetValueKind());
        Assert.Equal("raycluster-gpu-gpu-infer-worker-*", (string?)array[2]!["pod"]);
    }

    [Fact]
    public void Mutate_OutputPatch_PrintsOnePatchPerLineThatAppliesToTheInput()
    {
        var pod = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        var file = Write("pod.json", pod.ToJsonString());
        var policy = Write("policy.yaml", TestPolicies.Example);

        var run = Run("mutate", "--policy", policy, "--output", "patch", file);

        Assert.Equal(0, run.Exit);
        var line = Assert.Single(run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var patch = JsonNode.Parse(line)!.AsArray();
        Assert.NotEmpty(patch);
        Assert.All(patch, op => Assert.Contains((string?)op!["op"], new[] { "add", "replace" }));
    }

    [Fact]
    public void Mutate_UnknownProfileAnnotation_IsDeniedWithExitOne()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["metadata"]!["annotations"] = new JsonObject { ["raygpu.io/profile"] = "nope" };
        var file = Write("pod.yaml", YamlWriter.Write(pod));

        var run = Run("mutate", "--policy", ExamplePolicy, file);

        Assert.Equal(1, run.Exit);
        Assert.Contains("decision: denied", run.Out, StringComparison.Ordinal);
        Assert.Contains("unknown GPU profile \"nope\"", run.Out, StringComparison.Ordinal);
        Assert.Contains("resulting pod: none", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_DeniedPodInMachineOutput_ReportsOnStderr()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["metadata"]!["annotations"] = new JsonObject { ["raygpu.io/profile"] = "nope" };

        var run = RunWithStdin(YamlWriter.Write(pod), "mutate", "--policy", ExamplePolicy, "-o", "yaml", "-");

        Assert.Equal(1, run.Exit);
        Assert.Equal(string.Empty, run.Out);
        Assert.StartsWith("denied: Pod/", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allow", 0, "failed (admitted unchanged: --on-error allow)")]
    [InlineData("deny", 1, "failed (denied: --on-error deny)")]
    public void Mutate_PodTheWebhookCannotMutate_FollowsOnError(string onError, int expectedExit, string expectedDecision)
    {
        const string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {ray.io/node-type: worker, ray.io/cluster: c}}\nspec:\n  containers: []\n";

        var run = RunWithStdin(pod, "mutate", "--on-error", onError);

        Assert.Equal(expectedExit, run.Exit);
        Assert.Contains("decision: " + expectedDecision, run.Out, StringComparison.Ordinal);
        Assert.Contains("reason: cannot mutate this pod", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_StdinAdmissionReview_UsesTheRequestNamespace()
    {
        var review = Fixtures.Review(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit));

        var run = RunWithStdin(review.ToJsonString(), "mutate", "--policy", ExamplePolicy, "-o", "json");

        Assert.Equal(0, run.Exit);
        var result = Assert.Single(JsonNode.Parse(run.Out)!.AsArray())!;
        Assert.Equal("ml-team", (string?)result["namespace"]);
        Assert.StartsWith("AdmissionReview/", (string?)result["origin"], StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_WithoutPolicy_UsesTheBuiltInDefault()
    {
        var run = Run("mutate", ExampleCluster);

        Assert.Equal(0, run.Exit);
        Assert.Contains("policy: built-in default (no --policy)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_BadYaml_ExitsTwoWithLineAndColumn()
    {
        var file = Write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n");

        var run = Run("mutate", file);

        Assert.Equal(2, run.Exit);
        Assert.StartsWith($"error: {file}:", run.Err, StringComparison.Ordinal);
        Assert.Matches(@":\d+:\d+: ", run.Err);
    }

    [Fact]
    public void Mutate_InvalidPolicy_ExitsTwoWithEveryError()
    {
        var policy = Write("policy.yaml", "version: v1\nprofiles:\n  a: {gpus: 0}\nrules:\n  - {profile: missing}\n");

        var run = Run("mutate", "--policy", policy, ExampleCluster);

        Assert.Equal(2, run.Exit);
        Assert.Contains("profiles.a.gpus", run.Err, StringComparison.Ordinal);
        Assert.Contains("rules[0].profile", run.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public void Mutate_NoPodsInInput_ExitsTwo()
    {
        var file = Write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");

        var run = Run("mutate", file);

        Assert.Equal(2, run.Exit);
        Assert.Contains("skipped Service/s", run.Err, StringComparison.Ordinal);
        Assert.Contains("no Pod, AdmissionReview pod CREATE, RayCluster, RayJob or RayService found", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_MissingFile_ExitsTwoNamingIt()
    {
        var run = Run("mutate", Path.Combine(_dir, "absent.yaml"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("cannot read '" + Path.Combine(_dir, "absent.yaml") + "'", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--output", "xml")]
    [InlineData("--bogus")]
    [InlineData("--policy")]
    [InlineData("--on-error", "maybe")]
    [InlineData("-", "-")]
    public void Mutate_BadArguments_ExitTwoWithUsage(params string[] extra)
    {
        var run = Run(["mutate", .. extra]);

        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: ", run.Err, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mutate", "--help")]
    [InlineData("check-policy", "-h")]
    public void Help_PrintsUsageAndExitsZero(params string[] args)
    {
        var run = Run(args);

        Assert.Equal(0, run.Exit);
        Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NotACommand_ExitsTwoWithUsage()
    {
        var run = Run("frobnicate");

        Assert.Equal(2, run.Exit);
        Assert.Contains("Usage:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPolicy_Example_IsOk()
    {
        var run = Run("check-policy", ExamplePolicy);

        Assert.Equal(0, run.Exit);
        Assert.Equal("policy OK: 2 profiles, 2 rules\n", run.Out.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckPolicy_Invalid_ListsEveryErrorWithItsPathAndExitsTwo()
    {
        var run = RunWithStdin("version: v1\nprofiles:\n  a: {gpus: 0, enforce: maybe}\n", "check-policy", "-");

        Assert.Equal(2, run.Exit);
        Assert.StartsWith("policy <stdin> is invalid (2 errors):", run.Err, StringComparison.Ordinal);
        Assert.Contains("  profiles.a.gpus: ", run.Err, StringComparison.Ordinal);
        Assert.Contains("  profiles.a.enforce: ", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPolicy_TwoFiles_IsAUsageError()
    {
        var run = Run("check-policy", ExamplePolicy, ExamplePolicy);

        Assert.Equal(2, run.Exit);
        Assert.Contains("exactly one policy file", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_PolicyFromStdin_SameOutcomeAsThePolicyFile()
    {
        var fromFile = Run("mutate", "--policy", ExamplePolicy, "-o", "patch", ExampleCluster);

        var fromStdin = RunWithStdin(File.ReadAllText(ExamplePolicy), "mutate", "--policy", "-", "-o", "patch", ExampleCluster);

        Assert.Equal(0, fromStdin.Exit);
        Assert.Equal(string.Empty, fromStdin.Err);
        Assert.Equal(fromFile.Out, fromStdin.Out);
    }

    [Fact]
    public void Mutate_InvalidPolicyFromStdin_ErrorsNameStdin()
    {
        var run = RunWithStdin("version: v1\nprofiles:\n  a: {gpus: 0}\n", "mutate", "-p", "-", ExampleCluster);

        Assert.Equal(2, run.Exit);
        Assert.Contains("the policy <stdin> is invalid", run.Err, StringComparison.Ordinal);
        Assert.Contains("profiles.a.gpus", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--policy", "-")]
    [InlineData("--policy", "-", "-")]
    public void Mutate_PolicyAndManifestsBothFromStdin_IsAUsageError(params string[] args)
    {
        var run = RunWithStdin(File.ReadAllText(ExamplePolicy), ["mutate", .. args]);

        Assert.Equal(2, run.Exit);
        Assert.Contains("name the manifest files", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_NoInputOnATerminal_SaysItIsWaitingForStdin()
    {
        var run = RunWithStdin(File.ReadAllText(ExampleCluster), stdinIsTerminal: true, "mutate");

        Assert.Equal(0, run.Exit);
        Assert.StartsWith("reading manifests from stdin (a terminal)", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_NoInputRedirected_ReadsStdinSilently()
    {
        var run = RunWithStdin(File.ReadAllText(ExampleCluster), "mutate");

        Assert.Equal(0, run.Exit);
        Assert.Equal(string.Empty, run.Err);
    }

    private static CliRun Run(params string[] args) => RunWithStdin(string.Empty, args);

    private static CliRun RunWithStdin(string stdin, params string[] args) => RunWithStdin(stdin, stdinIsTerminal: false, args);

    private static CliRun RunWithStdin(string stdin, bool stdinIsTerminal, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = WebhookCli.Run(args, input, stdout, stderr, stdinIsTerminal);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private sealed record CliRun(int Exit, string Out, string Err);
}
