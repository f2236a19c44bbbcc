using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Sandbox.Tests.TestSupport;

namespace Platform.Sandbox.Tests.Scenario;

/// <summary>The README's first command, headless: every step's result read from <c>--output json</c>.</summary>
[Collection(SandboxCollection.Name)]
[Trait("Category", "E2E")]
public sealed partial class SandboxEndToEndTests
{
    [Fact]
    public async Task Run_DefaultManifestAndPolicy_EveryStepDoesWhatItSays()
    {
        var (code, stdout, stderr, leftovers) = await SandboxProcess.RunAsync("--output", "json");

        Assert.True(code == 0, $"exit {code}\n{stderr}");
        var document = JsonNode.Parse(stdout)!.AsObject();

        // Step 1: the webhook served admission over HTTPS.
        Assert.StartsWith("https://127.0.0.1:", document["webhook"]!["admission"]!.ToString(), StringComparison.Ordinal);

        // Step 2: four simulated GPUs, healthy in ListAndWatch, and the Node labelled by the agent through the fake API server.
        var gpus = document["node"]!["gpus"]!.AsArray();
        Assert.Equal(4, gpus.Count);
        Assert.All(gpus, g => Assert.True((bool)g!["healthy"]!));
        Assert.Equal("true", document["node"]!["labels"]!["nvidia.com/gpu.present"]!.ToString());
        Assert.Equal("NVIDIA-A10G", document["node"]!["labels"]!["nvidia.com/gpu.product"]!.ToString());

        // Step 3, template level: the RayCluster itself through the webhook; the head hidden from GPUs, both GPU groups
        // tolerated, pinned to the A10G and annotated with their profile, gpu-infer given a GPU by profile a10g.
        var template = Assert.Single(document["templates"]!.AsArray())!.AsObject();
        Assert.Equal("RayCluster", template["kind"]!.ToString());
        Assert.Equal("changed", template["decision"]!.ToString());
        var groups = template["groups"]!.AsArray().ToDictionary(g => g!["group"]!.ToString(), g => g!["operations"]!.AsArray().Select(o => o!.AsObject()).ToList());
        Assert.Contains(groups["head"], o => o.ToJsonString().Contains("void", StringComparison.Ordinal));
        foreach (var gpuGroup in new[] { "gpu-a10g", "gpu-infer" })
        {
            Assert.Contains(groups[gpuGroup], o => o["field"]!.ToString().StartsWith("template/spec/tolerations", StringComparison.Ordinal));
            Assert.Contains(groups[gpuGroup], o => o["field"]!.ToString() == "template/spec/nodeSelector" && o["value"]!["nvidia.com/gpu.product"]!.ToString() == "NVIDIA-A10G");
            Assert.Contains(groups[gpuGroup], o => o.ToJsonString().Contains("raygpu.io/profile", StringComparison.Ordinal) && o.ToJsonString().Contains("a10g", StringComparison.Ordinal));
        }

        Assert.Contains(groups["gpu-infer"], o => o["field"]!.ToString() == "template/spec/containers/0/resources/limits/nvidia.com/gpu");
        Assert.False(groups.ContainsKey("cpu-pool"));
        Assert.Contains(template["warnings"]!.AsArray(), w => w!.ToString().Contains("gpu-infer", StringComparison.Ordinal));

        // Step 3, pod level: the six pods KubeRay builds from the mutated RayCluster already carry it all, so the pod
        // webhook (the safety net) has nothing left to do.
        var admission = document["admission"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.Equal(6, admission.Count);
        Assert.All(admission, p => Assert.Equal("unchanged", p["decision"]!.ToString()));
        var infer = Assert.Single(admission, p => p["group"]!.ToString() == "gpu-infer");
        Assert.Equal(1, (int)infer["gpusBefore"]!);
        Assert.Equal(1, (int)infer["gpusAfter"]!);
        Assert.Equal("a10g", infer["profile"]!.ToString());
        Assert.All(admission.Where(p => p["group"]!.ToString() == "gpu-a10g"), p => Assert.Equal(1, (int)p["gpusBefore"]!));

        // Step 4: three GPU workers, one GPU each, all different, named to the container by UUID; then a pod that does not fit.
        var placed = document["scheduling"]!["pods"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.Equal(3, placed.Count);
        Assert.All(placed, p => Assert.True((bool)p["admitted"]!));
        Assert.Equal(3, placed.Select(p => p["gpus"]!.AsArray().Single()!.ToString()).Distinct().Count());
        Assert.All(placed, p => Assert.StartsWith("GPU-", p["env"]!["NVIDIA_VISIBLE_DEVICES"]!.ToString(), StringComparison.Ordinal));
        var scaleUp = document["scheduling"]!["scaleUp"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.True((bool)scaleUp[0]["admitted"]!);
        Assert.False((bool)scaleUp[^1]["admitted"]!);
        Assert.Equal("OutOfnvidia.com/gpu", scaleUp[^1]["reason"]!.ToString());
        Assert.Contains("used: 4, capacity: 4", scaleUp[^1]["message"]!.ToString(), StringComparison.Ordinal);

        // Step 5: metrics attribute each GPU to its pod and Ray group; XID 79 on a Ray worker's GPU turns it unhealthy.
        var fault = document["fault"]!.AsObject();
        var before = fault["before"]!.AsArray().Select(r => r!.AsObject()).ToList();
        foreach (var pod in placed)
        {
            var row = Assert.Single(before, r => r["pod"]!.ToString().EndsWith("/" + pod["pod"], StringComparison.Ordinal));
            Assert.Equal("raycluster-gpu", row["rayCluster"]!.ToString());
            Assert.Equal(pod["group"]!.ToString(), row["rayGroup"]!.ToString());
            Assert.Equal("healthy", row["health"]!.ToString());
        }

        var faulty = fault["uuid"]!.ToString();
        var during = Assert.Single(fault["during"]!.AsArray(), r => r!["uuid"]!.ToString() == faulty)!;
        Assert.Equal("unhealthy", during["health"]!.ToString());
        Assert.Equal(79, (double)during["lastXid"]!);
        Assert.True((bool)fault["kubeletUnhealthy"]!);

        // Step 6: the agent marks the worker, Ray drains its node (the right node, preemption, the agent's deadline),
        // the worker is evicted once Ray reports the node DEAD, and KubeRay's replacement lands on a healthy GPU; a
        // reset then heals the GPU.
        var remediation = document["remediation"]!.AsObject();
        var stages = remediation["stages"]!.AsArray().Select(s => s!["stage"]!.ToString()).ToList();
        Assert.Equal(["condition", "event", "drainNode", "drained", "eviction", "replacement"], stages);
        var seconds = remediation["stages"]!.AsArray().Select(s => (double)s!["seconds"]!).ToList();
        Assert.True(seconds[2] <= seconds[3] && seconds[3] <= seconds[4], $"drain, drained, eviction out of order: {string.Join(", ", seconds)}");
        Assert.Equal(fault["pod"]!.ToString(), remediation["pod"]!.ToString());
        Assert.EndsWith("-worker-" + fault["pod"]!.ToString().Split("-worker-")[1], remediation["pod"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("DRAIN_NODE_REASON_PREEMPTION", remediation["reason"]!.ToString());
        Assert.True((bool)remediation["accepted"]!);
        Assert.Equal(56, remediation["nodeId"]!.ToString().Length);
        Assert.InRange((double)remediation["deadlineSeconds"]!, 15, 21);
        Assert.Contains(faulty, remediation["reasonMessage"]!.ToString(), StringComparison.Ordinal);
        Assert.True((bool)remediation["evicted"]!);
        var replacement = remediation["replacement"]!.AsObject();
        Assert.True((bool)replacement["admitted"]!);
        Assert.NotEqual(remediation["pod"]!.ToString(), replacement["pod"]!.ToString());
        Assert.Equal(Assert.Single(placed, p => p["pod"]!.ToString() == remediation["pod"]!.ToString())["group"]!.ToString(), replacement["group"]!.ToString());
        Assert.NotEqual(fault["gpu"]!.ToString(), replacement["gpus"]!.AsArray().Single()!.ToString());
        Assert.All(fault["after"]!.AsArray(), r => Assert.Equal("healthy", r!["health"]!.ToString()));
        Assert.Contains(fault["after"]!.AsArray(), r => r!["pod"]!.ToString().EndsWith("/" + replacement["pod"], StringComparison.Ordinal));
        Assert.DoesNotContain(fault["after"]!.AsArray(), r => r!["pod"]!.ToString().EndsWith("/" + remediation["pod"], StringComparison.Ordinal));
        Assert.True((bool)fault["kubeletRecovered"]!);

        // Step 7 and the way out: summary, nothing left behind.
        Assert.Equal(4, (int)document["summary"]!["healthyGpus"]!);
        Assert.Empty(leftovers);
        foreach (Match pid in Pid().Matches(stderr))
        {
            Assert.False(SandboxProcess.IsAlive(int.Parse(pid.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)), $"pid {pid.Groups[1].Value} still runs");
        }
    }

    [Fact]
    public async Task Run_NotATerminal_PrintsPlainTextTables()
    {
        var (code, stdout, stderr, _) = await SandboxProcess.RunAsync("--gpus", "2");

        Assert.True(code == 0, $"exit {code}\n{stderr}");
        Assert.DoesNotContain("\u001b[", stdout, StringComparison.Ordinal);
        Assert.Contains("[7/7] Summary", stdout, StringComparison.Ordinal);
        Assert.Contains("GPU  POD", stdout, StringComparison.Ordinal);

        // Two GPUs for three GPU workers: the third is rejected by the kubelet and says so.
        Assert.Contains("rejected by the kubelet: OutOfnvidia.com/gpu", stdout, StringComparison.Ordinal);

        // Step 6 prints each stage as it comes, timed from the XID; with no healthy GPU free, the replacement waits for the reset.
        var remediation = stdout[stdout.IndexOf("[6/7] Remediation", StringComparison.Ordinal)..stdout.IndexOf("[7/7] Summary", StringComparison.Ordinal)];
        Assert.Matches(@"\+\s*\d+\.\d\d s  pod \S+: condition raygpu\.io/GPUHealthy=False", remediation);
        Assert.Matches(@"\+\s*\d+\.\d\d s  GCS: DrainNode for Ray node [0-9a-f]{12}… \(10\.244\.1\.\d+\), DRAIN_NODE_REASON_PREEMPTION, deadline in \d+ s, .* → accepted, node DRAINING", remediation);
        Assert.Matches(@"\+\s*\d+\.\d\d s  GCS: Ray node DEAD", remediation);
        Assert.Matches(@"\+\s*\d+\.\d\d s  eviction: POST pods/\S+/eviction → 201", remediation);
        Assert.Contains("admitted on GPU", remediation, StringComparison.Ordinal);
        Assert.Contains("once the node had a healthy GPU free", remediation, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"pid (\d+)")]
    private static partial Regex Pid();
}
