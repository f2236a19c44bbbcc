using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary>
/// Production install: required image values, how the agent reaches the driver (never the host's root), MIG
/// capabilities, the node-patch admission policy's presence, NetworkPolicies, and keeping off NVIDIA's plugin.
/// </summary>
public sealed class ChartLeastPrivilegeTests
{
    private const string PolicyApi = "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public async Task Images_WithoutRepositories_FailWithHowToBuildAndPush(int helm)
    {
        var result = await Helm.RunBareAsync(helm, "template", "rel", Helm.ChartDirectory).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("webhook.image.repository is required", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("docker build -f Dockerfile.webhook -t <registry>/raygpu-webhook:0.1.0 .", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("docker push <registry>/raygpu-webhook:0.1.0", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Build the images", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Images_WithOnlyTheWebhooks_FailNamingTheAgents()
    {
        var result = await Helm.RunBareAsync("template", "rel", Helm.ChartDirectory, "--set", "webhook.image.repository=r.example/raygpu-webhook")
            .WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nodeAgent.image.repository is required", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("docker build -f Dockerfile.plugin -t <registry>/raygpu-node-agent:0.1.0 .", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Images_OfADisabledComponent_AreNotRequired()
    {
        var result = await Helm.RunBareAsync("template", "rel", Helm.ChartDirectory, "--set", "webhook.enabled=false", "--set", "nodeAgent.image.repository=r.example/raygpu-node-agent")
            .WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("image: r.example/raygpu-node-agent:0.1.0", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Images_AreTheGivenRepositoriesAtTheChartsVersion()
    {
        var chart = await RenderedChart.RenderAsync("--set", "webhook.image.registry=ghcr.io/acme,webhook.image.repository=raygpu-webhook").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal("ghcr.io/acme/raygpu-webhook:0.1.0", (string?)Pod(chart, "Deployment")["containers"]![0]!["image"]);
        Assert.Equal("registry.example/raygpu-node-agent:0.1.0", (string?)Pod(chart, "DaemonSet")["containers"]![0]!["image"]);
    }

    [Fact]
    public async Task Driver_ByDefault_IsInjectedByTheContainerToolkit()
    {
        var chart = await RenderedChart.RenderAsync("--set", "nodeAgent.runtimeClassName=nvidia").WaitAsync(TimeSpan.FromSeconds(90));

        var pod = Pod(chart, "DaemonSet");
        var container = pod["containers"]![0]!;
        Assert.Equal("nvidia", (string?)pod["runtimeClassName"]);
        Assert.Equal("all", Env(container, "NVIDIA_VISIBLE_DEVICES"));
        Assert.Equal("utility,compute", Env(container, "NVIDIA_DRIVER_CAPABILITIES"));
        Assert.Null(Env(container, "NVIDIA_MIG_MONITOR_DEVICES"));
        Assert.Contains("--Gpu:DriverRoot=/", Args(container));
        Assert.DoesNotContain(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == "driver");
        Assert.Equal("""{"drop":["ALL"]}""", container["securityContext"]!["capabilities"]!.ToJsonString());
    }

    [Theory]
    [InlineData("/run/nvidia/driver", "/driver-root")]
    [InlineData("/usr/lib/nvidia/tesla/", "/driver-root/lib")]
    public async Task Driver_FromAHostDirectory_IsMountedReadOnlyBelowTheDriverRoot(string hostPath, string mountPath)
    {
        var chart = await RenderedChart.RenderAsync(
            "--set", $"nodeAgent.driver.source=hostPath,nodeAgent.driver.hostPath={hostPath},nodeAgent.driver.mountPath={mountPath}").WaitAsync(TimeSpan.FromSeconds(90));

        var pod = Pod(chart, "DaemonSet");
        var container = pod["containers"]![0]!;
        var volume = pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "driver")!;
        Assert.Equal(hostPath.TrimEnd('/'), (string?)volume["hostPath"]!["path"]);
        var mount = container["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == "driver")!;
        Assert.Equal(mountPath, (string?)mount["mountPath"]);
        Assert.True((bool?)mount["readOnly"]);
        Assert.Contains("--Gpu:DriverRoot=/driver-root", Args(container));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("/./")]
    [InlineData("/usr/..")]
    public async Task Driver_TheHostsRoot_IsRefused(string hostPath)
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", $"nodeAgent.driver.source=hostPath,nodeAgent.driver.hostPath={hostPath}")
            .WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nodeAgent.driver.hostPath must not be the host's root", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Driver_HostPathWithoutADirectory_IsRefused()
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", "nodeAgent.driver.source=hostPath").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nodeAgent.driver.hostPath is required", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("nodeAgent.privileged=true")]
    [InlineData("nodeAgent.driver.source=hostPath,nodeAgent.driver.hostPath=/run/nvidia/driver")]
    [InlineData("nodeAgent.kubeletRoot=/var/snap/microk8s/common/var/lib/kubelet,nodeAgent.serviceMonitor.enabled=true")]
    public async Task NoVariant_MountsTheHostsRoot(string settings)
    {
        var chart = await RenderedChart.RenderAsync(settings.Length == 0 ? [] : ["--set", settings]).WaitAsync(TimeSpan.FromSeconds(90));

        var hostPaths = chart.Objects.SelectMany(o => o.DescendantsNamed("hostPath")).Select(h => (string)h["path"]!).ToList();
        Assert.NotEmpty(hostPaths);
        Assert.All(hostPaths, p => Assert.NotEqual("/", Path.GetFullPath(p)));
        // Nor the directories that hold the kubelet's and the node's credentials.
        Assert.All(hostPaths, p => Assert.False(p.StartsWith("/etc", StringComparison.Ordinal) || p.TrimEnd('/').EndsWith("/lib/kubelet", StringComparison.Ordinal), p));
    }

    [Fact]
    public async Task Mig_WhenAStrategyIsChosen_AddsSysAdminAndMigMonitoring()
    {
        // nodeAgent.mig.strategy belongs to the MIG values; the schema may not know it yet, so skip its check here.
        var chart = await RenderedChart.RenderAsync("--set", "nodeAgent.mig.strategy=mixed", "--skip-schema-validation").WaitAsync(TimeSpan.FromSeconds(90));

        var container = Pod(chart, "DaemonSet")["containers"]![0]!;
        Assert.Equal("all", Env(container, "NVIDIA_MIG_MONITOR_DEVICES"));
        var capabilities = container["securityContext"]!["capabilities"]!;
        Assert.Equal("""["ALL"]""", capabilities["drop"]!.ToJsonString());
        Assert.Equal("""["SYS_ADMIN"]""", capabilities["add"]!.ToJsonString());
    }

    [Fact]
    public async Task Mig_StrategyNone_AddsNothing()
    {
        var chart = await RenderedChart.RenderAsync("--set", "nodeAgent.mig.strategy=none", "--skip-schema-validation").WaitAsync(TimeSpan.FromSeconds(90));

        var container = Pod(chart, "DaemonSet")["containers"]![0]!;
        Assert.Null(Env(container, "NVIDIA_MIG_MONITOR_DEVICES"));
        Assert.Equal("""{"drop":["ALL"]}""", container["securityContext"]!["capabilities"]!.ToJsonString());
    }

    [Fact]
    public async Task NodePatchPolicy_Auto_FollowsTheApiServer()
    {
        var without = await RenderedChart.RenderAsync().WaitAsync(TimeSpan.FromSeconds(90));
        var with = await RenderedChart.RenderAsync("--api-versions", PolicyApi).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain("ValidatingAdmissionPolicy", without.Kinds);
        var policy = with.Find("ValidatingAdmissionPolicy", "rel-platform-node-agent-node-patch")!;
        var binding = with.Find("ValidatingAdmissionPolicyBinding", "rel-platform-node-agent-node-patch")!;
        Assert.Equal((string?)policy["metadata"]!["name"], (string?)binding["spec"]!["policyName"]);
        Assert.Equal("""["Deny"]""", binding["spec"]!["validationActions"]!.ToJsonString());
        Assert.Null(binding["spec"]!["matchResources"]);
        Assert.Equal("Fail", (string?)policy["spec"]!["failurePolicy"]);
        Assert.Equal(
            """[{"apiGroups":[""],"apiVersions":["*"],"operations":["UPDATE"],"resources":["nodes"]}]""",
            policy["spec"]!["matchConstraints"]!["resourceRules"]!.ToJsonString());
        var condition = Assert.Single(policy["spec"]!["matchConditions"]!.AsArray())!;
        Assert.Equal("request.userInfo.username == 'system:serviceaccount:ray-system:rel-platform-node-agent'", (string?)condition["expression"]);
    }

    [Theory]
    [InlineData("true", false, true)]
    [InlineData("false", true, false)]
    [InlineData("auto", true, true)]
    public async Task NodePatchPolicy_Switch_ForcesEitherWay(string enabled, bool served, bool rendered)
    {
        string[] api = served ? ["--api-versions", PolicyApi] : [];
        var chart = await RenderedChart.RenderAsync(["--set", $"nodeAgent.nodePatchPolicy.enabled={enabled}", .. api]).WaitAsync(TimeSpan.FromSeconds(90));

        // The node-patch policy and, with remediation's default mode, the pod-status policy.
        Assert.Equal(rendered ? 2 : 0, chart.All("ValidatingAdmissionPolicy").Count());
        Assert.Equal(rendered ? 2 : 0, chart.All("ValidatingAdmissionPolicyBinding").Count());
    }

    [Fact]
    public async Task NodePatchPolicy_WithoutTheAgent_IsNotRendered()
    {
        var chart = await RenderedChart.RenderAsync("--set", "nodeAgent.enabled=false,nodeAgent.nodePatchPolicy.enabled=true").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain("ValidatingAdmissionPolicy", chart.Kinds);
    }

    [Fact]
    public async Task NetworkPolicies_AreOffByDefault()
    {
        var chart = await RenderedChart.RenderAsync().WaitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain("NetworkPolicy", chart.Kinds);
    }

    [Fact]
    public async Task NetworkPolicies_WhenOn_AdmitTheApiServerAndTheScraperOnly()
    {
        var chart = await RenderedChart.RenderAsync(
            "--set", "webhook.networkPolicy.enabled=true,nodeAgent.networkPolicy.enabled=true",
            "--set-json", """webhook.networkPolicy.apiServerFrom=[{"ipBlock":{"cidr":"10.0.0.0/24"}}]""").WaitAsync(TimeSpan.FromSeconds(90));

        var webhook = chart.Find("NetworkPolicy", "rel-platform-webhook")!["spec"]!;
        Assert.Equal(chart.Single("Deployment")["spec"]!["selector"]!["matchLabels"]!.ToJsonString(), webhook["podSelector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal("""["Ingress","Egress"]""", webhook["policyTypes"]!.ToJsonString());
        Assert.Equal(
            """[{"ports":[{"port":"https","protocol":"TCP"}],"from":[{"ipBlock":{"cidr":"10.0.0.0/24"}}]},"""
            + """{"ports":[{"port":"http-health","protocol":"TCP"}],"from":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"monitoring"}}}]}]""",
            webhook["ingress"]!.ToJsonString());
        Assert.Equal("[]", webhook["egress"]!.ToJsonString());
        var ports = Pod(chart, "Deployment")["containers"]![0]!["ports"]!.AsArray().Select(p => (string?)p!["name"]).ToList();
        Assert.Equal(["https", "http-health"], ports);

        var agent = chart.Find("NetworkPolicy", "rel-platform-node-agent")!["spec"]!;
        // The agents of either mode (ChartDraTests: both DaemonSets' pods, never the webhook's).
        var agentPod = chart.Single("DaemonSet")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        Assert.All(agent["podSelector"]!["matchLabels"]!.AsObject(), pair => Assert.Equal((string?)pair.Value, (string?)agentPod[pair.Key]));
        Assert.Equal(
            """[{"ports":[{"port":"http-metrics","protocol":"TCP"}],"from":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"monitoring"}}}]}]""",
            agent["ingress"]!.ToJsonString());
        Assert.Equal("""[{"ports":[{"port":443,"protocol":"TCP"},{"port":6443,"protocol":"TCP"}]}]""", agent["egress"]!.ToJsonString());
    }

    [Fact]
    public async Task NetworkPolicies_WithoutScrapers_CloseTheMetricsPorts()
    {
        var chart = await RenderedChart.RenderAsync(
            "--set", "webhook.networkPolicy.enabled=true,nodeAgent.networkPolicy.enabled=true",
            "--set-json", "webhook.networkPolicy.metricsFrom=[]", "--set-json", "nodeAgent.networkPolicy.metricsFrom=[]").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal("[]", chart.Find("NetworkPolicy", "rel-platform-node-agent")!["spec"]!["ingress"]!.ToJsonString());
        var webhookIngress = chart.Find("NetworkPolicy", "rel-platform-webhook")!["spec"]!["ingress"]!.AsArray();
        Assert.Equal("""[{"ports":[{"port":"https","protocol":"TCP"}]}]""", webhookIngress.ToJsonString());
    }

    [Fact]
    public async Task Coexistence_ExclusionsJoinEverySelectorTerm()
    {
        var chart = await RenderedChart.RenderAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var terms = Terms(chart);
        Assert.Equal(5, terms.Count);
        Assert.All(terms, t => Assert.Contains(
            """{"key":"nvidia.com/gpu.deploy.device-plugin","operator":"NotIn","values":["true"]}""",
            t!["matchExpressions"]!.AsArray().Select(e => e!.ToJsonString())));
    }

    [Fact]
    public async Task Coexistence_WithoutExclusions_KeepsTheTermsAsGiven()
    {
        var chart = await RenderedChart.RenderAsync("--set-json", "nodeAgent.requiredNodeExpressions=[]").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.All(Terms(chart), t => Assert.Single(t!["matchExpressions"]!.AsArray()));
    }

    [Fact]
    public async Task Webhook_RunsAsNonRootWithoutAToken()
    {
        var chart = await RenderedChart.RenderAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var pod = Pod(chart, "Deployment");
        Assert.False((bool?)pod["automountServiceAccountToken"]);
        Assert.True((bool?)pod["securityContext"]!["runAsNonRoot"]);
        Assert.NotEqual(0, (int?)pod["securityContext"]!["runAsUser"]);
        Assert.True((bool?)pod["containers"]![0]!["securityContext"]!["readOnlyRootFilesystem"]);
        Assert.DoesNotContain("ClusterRole", chart.Objects.Where(o => ((string)o["metadata"]!["name"]!).Contains("webhook", StringComparison.Ordinal)).Select(o => (string)o["kind"]!));
    }

    private static JsonNode Pod(RenderedChart chart, string kind) => chart.Single(kind)["spec"]!["template"]!["spec"]!;

    private static List<string> Args(JsonNode container) => [.. container["args"]!.AsArray().Select(a => (string)a!)];

    private static string? Env(JsonNode container, string name) =>
        (string?)container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name)?["value"];

    private static List<JsonNode?> Terms(RenderedChart chart) =>
        [.. Pod(chart, "DaemonSet")["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]!.AsArray()];
}
