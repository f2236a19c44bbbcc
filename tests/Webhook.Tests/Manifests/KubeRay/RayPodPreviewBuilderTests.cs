using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;
using Platform.Webhook.Manifests.KubeRay;

namespace Platform.Webhook.Tests.Manifests.KubeRay;

public class RayPodPreviewBuilderTests
{
    [Fact]
    public void Build_ExampleRayCluster_GivesOnePodPerGroupWithKubeRayLabels()
    {
        var previews = RayPodPreviewBuilder.Build(ExampleCluster(), "default");

        Assert.Equal(["headgroup", "gpu-a10g", "gpu-infer", "cpu-pool"], previews.Select(p => p.Group));
        var head = previews[0];
        Assert.Equal("head", head.NodeType);
        Assert.Equal("ml-team", head.Namespace);
        var labels = head.Pod["metadata"]!["labels"]!.AsObject();
        Assert.Equal("raycluster-gpu", (string?)labels["ray.io/cluster"]);
        Assert.Equal("head", (string?)labels["ray.io/node-type"]);
        Assert.Equal("headgroup", (string?)labels["ray.io/group"]);
        Assert.Equal("raycluster-gpu-head", (string?)labels["ray.io/identifier"]);
        Assert.Equal("yes", (string?)labels["ray.io/is-ray-node"]);
        Assert.Equal("kuberay-operator", (string?)labels["app.kubernetes.io/created-by"]);
        Assert.Equal("kuberay", (string?)labels["app.kubernetes.io/name"]);
        Assert.Equal("raycluster-gpu-head-", (string?)head.Pod["metadata"]!["generateName"]);

        var worker = previews[1].Pod;
        Assert.Equal("raycluster-gpu-gpu-a10g-worker-", (string?)worker["metadata"]!["generateName"]);
        Assert.Equal("0", (string?)worker["metadata"]!["labels"]!["ray.io/worker-group-replica-index"]);
        Assert.Null(worker["metadata"]!["name"]);
    }

    [Fact]
    public void Build_GpuWorker_HasRayStartWithNumGpusInArgsAndEnv()
    {
        var worker = RayPodPreviewBuilder.Build(ExampleCluster(), "default")[1].Pod;

        var ray = worker["spec"]!["containers"]![0]!;
        Assert.Equal("""["/bin/bash","-c","--"]""", ray["command"]!.ToJsonString());
        var args = (string)ray["args"]![0]!;
        Assert.StartsWith("ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-gpu-head-svc.ml-team.svc.cluster.local:6379", args, StringComparison.Ordinal);
        Assert.Contains(" --num-gpus=1 ", args, StringComparison.Ordinal);
        var generated = ray["env"]!.AsArray().Single(e => (string?)e!["name"] == "KUBERAY_GEN_RAY_START_CMD")!;
        Assert.EndsWith((string)generated["value"]!, args, StringComparison.Ordinal);
        Assert.Equal("1", (string?)ray["resources"]!["limits"]!["nvidia.com/gpu"]);
    }

    [Fact]
    public void Build_Worker_GetsWaitGcsReadyInitSharedMemoryAndMetricsPort()
    {
        var worker = RayPodPreviewBuilder.Build(ExampleCluster(), "default")[1].Pod;

        var init = Assert.Single(worker["spec"]!["initContainers"]!.AsArray())!;
        Assert.Equal("wait-gcs-ready", (string?)init["name"]);
        Assert.Contains("raycluster-gpu-head-svc.ml-team.svc.cluster.local:6379", (string)init["args"]![0]!, StringComparison.Ordinal);
        Assert.Equal("200m", (string?)init["resources"]!["limits"]!["cpu"]);
        Assert.Null(init["resources"]!["limits"]!["nvidia.com/gpu"]);
        var shm = Assert.Single(worker["spec"]!["volumes"]!.AsArray())!;
        Assert.Equal("""{"name":"shared-mem","emptyDir":{"medium":"Memory","sizeLimit":"32Gi"}}""", shm.ToJsonString());
        var ray = worker["spec"]!["containers"]![0]!;
        Assert.Contains(ray["ports"]!.AsArray(), p => (string?)p!["name"] == "metrics" && (int?)p["containerPort"] == 8080);
        Assert.Contains(ray["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/dev/shm");
    }

    [Fact]
    public void Build_HeadWithAutoscaling_AddsSidecarWithoutGpusAndNoMonitor()
    {
        var cluster = ExampleCluster();
        cluster["spec"]!["enableInTreeAutoscaling"] = true;

        var head = RayPodPreviewBuilder.Build(cluster, "default")[0].Pod;

        var containers = head["spec"]!["containers"]!.AsArray();
        Assert.Equal("autoscaler", (string?)containers[1]!["name"]);
        Assert.Contains("--no-monitor", (string)containers[0]!["args"]![0]!, StringComparison.Ordinal);
        Assert.Equal("raycluster-gpu", (string?)head["spec"]!["serviceAccountName"]);
        Assert.Contains(head["spec"]!["volumes"]!.AsArray(), v => (string?)v!["name"] == "ray-logs");
    }

    [Fact]
    public void Build_LabelsThatKubeRayOwns_CannotBeOverridden()
    {
        var cluster = ExampleCluster();
        var template = cluster["spec"]!["workerGroupSpecs"]![0]!["template"]!.AsObject();
        template["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["ray.io/group"] = "evil", ["team"] = "ml" } };

        var worker = RayPodPreviewBuilder.Build(cluster, "default")[1].Pod;

        Assert.Equal("gpu-a10g", (string?)worker["metadata"]!["labels"]!["ray.io/group"]);
        Assert.Equal("ml", (string?)worker["metadata"]!["labels"]!["team"]);
    }

    [Fact]
    public void Build_UserCommandWithoutRayStart_IsChainedBeforeTheGeneratedOne()
    {
        var cluster = ExampleCluster();
        var ray = cluster["spec"]!["workerGroupSpecs"]![2]!["template"]!["spec"]!["containers"]![0]!.AsObject();
        ray["command"] = new JsonArray("echo", "hello");

        var worker = RayPodPreviewBuilder.Build(cluster, "default")[3].Pod;

        var args = (string)worker["spec"]!["containers"]![0]!["args"]![0]!;
        Assert.StartsWith(" echo  hello  && ulimit -n", args, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RayService_UsesRayClusterConfigAndServeLabel()
    {
        var service = new JsonObject
        {
            ["apiVersion"] = "ray.io/v1",
            ["kind"] = "RayService",
            ["metadata"] = new JsonObject { ["name"] = "serve" },
            ["spec"] = new JsonObject { ["rayClusterConfig"] = ExampleCluster()["spec"]!.DeepClone() },
        };

        var previews = RayPodPreviewBuilder.Build(service, "prod");

        var clusterName = RayPodPreviewBuilder.GeneratedClusterName("serve");
        Assert.Matches("^serve-[bcdfghjklmnpqrstvwxz2456789]{5}$", clusterName);
        Assert.All(previews, p => Assert.Equal(clusterName, p.ClusterName));
        Assert.All(previews, p => Assert.Equal("prod", p.Namespace));
        Assert.Equal("false", (string?)previews[0].Pod["metadata"]!["labels"]!["ray.io/serve"]);
        Assert.Equal("true", (string?)previews[1].Pod["metadata"]!["labels"]!["ray.io/serve"]);
        var headEnv = previews[0].Pod["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Contains(headEnv, e => (string?)e!["name"] == "RAY_USAGE_STATS_EXTRA_TAGS" && ((string)e["value"]!).EndsWith("kuberay_crd=RayService", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_RayJobWithClusterSelector_CreatesNoPods()
    {
        var job = JsonNode.Parse("""{"apiVersion":"ray.io/v1","kind":"RayJob","metadata":{"name":"j"},"spec":{"clusterSelector":{"ray.io/cluster":"shared"}}}""")!.AsObject();

        Assert.Empty(RayPodPreviewBuilder.Build(job, "default"));
    }

    [Theory]
    [InlineData("""{"kind":"RayCluster","metadata":{"name":"c"},"spec":{}}""", "spec.headGroupSpec: missing")]
    [InlineData("""{"kind":"RayCluster","metadata":{},"spec":{}}""", "metadata.name")]
    [InlineData("""{"kind":"RayJob","metadata":{"name":"j"},"spec":{}}""", "spec.rayClusterSpec: missing")]
    [InlineData("""{"kind":"RayCluster","metadata":{"name":"c"},"spec":{"headGroupSpec":{"template":{"spec":{"containers":[]}}}}}""", "spec.headGroupSpec.template.spec.containers")]
    [InlineData("""{"kind":"RayCluster","metadata":{"name":"c"},"spec":{"headGroupSpec":{"template":{"spec":{"containers":[{"name":"h"}]}}},"workerGroupSpecs":[{"template":{}}]}}""", "spec.workerGroupSpecs[0].groupName")]
    public void Build_IncompleteResource_NamesTheField(string json, string expectedPath)
    {
        var error = Assert.Throws<InvalidDataException>(() => RayPodPreviewBuilder.Build(JsonNode.Parse(json)!.AsObject(), "default"));

        Assert.Contains(expectedPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_GpuWorker_MatchesTheMutatorTestsKubeRayFixture()
    {
        // Two independent readings of KubeRay's pod.go must agree on what the webhook parses and labels.
        var cluster = JsonNode.Parse("""
            {"apiVersion":"ray.io/v1","kind":"RayCluster","metadata":{"name":"llm-train","namespace":"ml-team"},
             "spec":{"headGroupSpec":{"rayStartParams":{},"template":{"spec":{"containers":[{"name":"ray-head","image":"rayproject/ray:2.52.0-py311"}]}}},
                     "workerGroupSpecs":[{"groupName":"gpu-group","rayStartParams":{},"template":{"spec":{"containers":[
                       {"name":"ray-worker","image":"rayproject/ray:2.52.0-py311-gpu",
                        "resources":{"limits":{"cpu":"8","memory":"32Gi","nvidia.com/gpu":1},"requests":{"cpu":"8","memory":"32Gi","nvidia.com/gpu":1}}}]}}}]}}
            """)!.AsObject();
        var fixture = TestSupport.Fixtures.Pod(TestSupport.Fixtures.GpuWorker);

        var worker = RayPodPreviewBuilder.Build(cluster, "default")[1].Pod;

        var ray = worker["spec"]!["containers"]![0]!;
        var expected = fixture["spec"]!["containers"]![0]!;
        Assert.Equal((string?)expected["args"]![0], (string?)ray["args"]![0]);
        Assert.Equal(expected["command"]!.ToJsonString(), ray["command"]!.ToJsonString());
        Assert.Equal(expected["resources"]!.ToJsonString(), ray["resources"]!.ToJsonString());
        Assert.Equal((string?)fixture["metadata"]!["generateName"], (string?)worker["metadata"]!["generateName"]);
        var fixtureLabels = fixture["metadata"]!["labels"]!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}");
        var previewLabels = worker["metadata"]!["labels"]!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}");
        Assert.Equal(fixtureLabels, previewLabels);
        string? Env(JsonNode container, string name) =>
            (string?)container["env"]!.AsArray().Single(e => (string?)e!["name"] == name)!["value"];
        Assert.Equal(Env(expected, "KUBERAY_GEN_RAY_START_CMD"), Env(ray, "KUBERAY_GEN_RAY_START_CMD"));
        Assert.Equal(Env(expected, "RAY_ADDRESS"), Env(ray, "RAY_ADDRESS"));
    }

    internal static JsonObject ExampleCluster()
    {
        var text = File.ReadAllText(RepositoryPaths.Get("examples", "raycluster-gpu.yaml"));
        return Assert.Single(ManifestReader.Read(text, "raycluster-gpu.yaml")).Content!.AsObject();
    }
}
