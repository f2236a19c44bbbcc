using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Chart.Tests;

/// <summary>
/// GPU fault remediation (nodeAgent.remediation.*): each mode's RBAC, admission policies, NetworkPolicy egress and agent
/// arguments, with Helm 4 and Helm 3; durations turned into .NET TimeSpan text; bad values refused with the key named.
/// </summary>
public sealed class ChartRemediationTests
{
    private const string PolicyApi = "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";

    /// <summary>The agent's rules without remediation: exactly what it had before remediation existed.</summary>
    private const string BaseRules =
        """{"apiGroups":[""],"resources":["nodes"],"verbs":["get","patch"]},{"apiGroups":["events.k8s.io"],"resources":["events"],"verbs":["create"]},{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}""";

    private const string AnnotateRules =
        """,{"apiGroups":[""],"resources":["pods/status"],"verbs":["patch"]},{"apiGroups":[""],"resources":["namespaces"],"verbs":["get"]}""";

    private const string DrainRules =
        """,{"apiGroups":[""],"resources":["nodes"],"verbs":["list"]},{"apiGroups":[""],"resources":["pods/eviction"],"verbs":["create"]}""";

    [Theory]
    [InlineData(4, "off", "Off", "")]
    [InlineData(4, "annotate", "Annotate", AnnotateRules)]
    [InlineData(4, "drain", "Drain", AnnotateRules + DrainRules)]
    [InlineData(4, "evict", "Evict", AnnotateRules + DrainRules)]
    [InlineData(3, "off", "Off", "")]
    [InlineData(3, "annotate", "Annotate", AnnotateRules)]
    [InlineData(3, "drain", "Drain", AnnotateRules + DrainRules)]
    [InlineData(3, "evict", "Evict", AnnotateRules + DrainRules)]
    public async Task Mode_GrantsExactlyItsCallsAndReachesTheAgent(int helm, string mode, string agentMode, string extraRules)
    {
        var chart = await RenderedChart.RenderWithAsync(helm, "--set", $"nodeAgent.remediation.mode={mode}").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal($"[{BaseRules}{extraRules}]", chart.Single("ClusterRole")["rules"]!.ToJsonString());
        Assert.Contains($"--Remediation:Mode={agentMode}", Args(chart));
        Assert.Single(Args(chart), a => a.StartsWith("--Remediation:Mode=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Defaults_AreAnnotateWithTheDocumentedRails()
    {
        var chart = await RenderedChart.RenderAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var remediation = Args(chart).Where(a => a.StartsWith("--Remediation:", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "--Remediation:DrainTimeout=00:10:00",
                "--Remediation:DryRun=false",
                "--Remediation:GcsAddress={cluster}-head-svc.{namespace}.svc:6379",
                "--Remediation:GpuNodeSelector=nvidia.com/gpu.present=true",
                "--Remediation:MaxDisruptedNodeFraction=0.1",
                "--Remediation:MaxEvictionsPerNodePerHour=2",
                "--Remediation:MinDisruptedNodes=2",
                "--Remediation:Mode=Annotate",
                "--Remediation:NodeFaultGpus=2",
                "--Remediation:NodeRecoveryWindow=00:30:00",
                "--Remediation:NonRayPods=Annotate",
            ],
            remediation);
    }

    [Fact]
    public async Task Values_ReachTheAgentAsRemediationKeys()
    {
        var chart = await RenderedChart.RenderAsync(
            "--set", "nodeAgent.remediation.mode=evict,nodeAgent.remediation.nonRayPods=evict,nodeAgent.remediation.maxEvictionsPerNodePerHour=0",
            "--set", "nodeAgent.remediation.nodeFaultGpus=3,nodeAgent.remediation.minDisruptedNodes=5,nodeAgent.remediation.dryRun=true",
            "--set-json", "nodeAgent.remediation.maxDisruptedNodeFraction=0.25",
            "--set", "nodeAgent.remediation.gcsAddress=ray-{cluster}.{namespace}.svc.cluster.local:16379,nodeAgent.remediation.gpuNodeSelector=gpu=yes",
            "--set", "nodeAgent.config.Remediation.NodeFaultWindow=00:05:00").WaitAsync(TimeSpan.FromSeconds(90));

        var args = Args(chart);
        Assert.Contains("--Remediation:NonRayPods=Evict", args);
        Assert.Contains("--Remediation:MaxEvictionsPerNodePerHour=0", args);
        Assert.Contains("--Remediation:NodeFaultGpus=3", args);
        Assert.Contains("--Remediation:MinDisruptedNodes=5", args);
        Assert.Contains("--Remediation:DryRun=true", args);
        Assert.Contains("--Remediation:MaxDisruptedNodeFraction=0.25", args);
        Assert.Contains("--Remediation:GcsAddress=ray-{cluster}.{namespace}.svc.cluster.local:16379", args);
        Assert.Contains("--Remediation:GpuNodeSelector=gpu=yes", args);
        // Keys the chart has no value for pass through nodeAgent.config.
        Assert.Contains("--Remediation:NodeFaultWindow=00:05:00", args);
    }

    [Theory]
    [InlineData("90s", "00:01:30")]
    [InlineData("10m", "00:10:00")]
    [InlineData("1h", "01:00:00")]
    [InlineData("1h30m", "01:30:00")]
    [InlineData("45m59s", "00:45:59")]
    [InlineData("3600s", "01:00:00")]
    [InlineData("36h", "1.12:00:00")]
    [InlineData("48h1s", "2.00:00:01")]
    public async Task Durations_BecomeDotNetTimeSpans(string duration, string timeSpan)
    {
        var chart = await RenderedChart.RenderAsync(
            "--set", $"nodeAgent.remediation.drainTimeout={duration},nodeAgent.remediation.nodeRecoveryWindow={duration}").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Contains($"--Remediation:DrainTimeout={timeSpan}", Args(chart));
        Assert.Contains($"--Remediation:NodeRecoveryWindow={timeSpan}", Args(chart));
        Assert.Equal(TimeSpan.Parse(timeSpan, CultureInfo.InvariantCulture), ParseDuration(duration));
    }

    [Fact]
    public async Task ModeOff_UnquotedInAValuesFile_IsOff()
    {
        // YAML reads an unquoted off as the boolean false.
        var file = Path.Combine(Directory.CreateTempSubdirectory("chart-remediation-").FullName, "off.yaml");
        await File.WriteAllTextAsync(file, "nodeAgent:\n  remediation:\n    mode: off\n");

        var chart = await RenderedChart.RenderAsync("-f", file).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Contains("--Remediation:Mode=Off", Args(chart));
        Assert.Equal($"[{BaseRules}]", chart.Single("ClusterRole")["rules"]!.ToJsonString());
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Theory]
    [InlineData("off", false)]
    [InlineData("annotate", true)]
    [InlineData("drain", true)]
    [InlineData("evict", true)]
    public async Task PodStatusPolicy_ConfinesThePermissionWhereOneIsGranted(string mode, bool rendered)
    {
        var chart = await RenderedChart.RenderAsync("--set", $"nodeAgent.remediation.mode={mode}", "--api-versions", PolicyApi).WaitAsync(TimeSpan.FromSeconds(90));

        var policy = chart.Find("ValidatingAdmissionPolicy", "rel-platform-node-agent-pod-status");
        var binding = chart.Find("ValidatingAdmissionPolicyBinding", "rel-platform-node-agent-pod-status");
        Assert.Equal(rendered, policy is not null);
        Assert.Equal(rendered, binding is not null);
        Assert.NotNull(chart.Find("ValidatingAdmissionPolicy", "rel-platform-node-agent-node-patch"));
        if (rendered)
        {
            Assert.Equal("Fail", (string?)policy!["spec"]!["failurePolicy"]);
            Assert.Equal(
                """[{"apiGroups":[""],"apiVersions":["*"],"operations":["UPDATE"],"resources":["pods/status"]}]""",
                policy["spec"]!["matchConstraints"]!["resourceRules"]!.ToJsonString());
            Assert.Equal("""["Deny"]""", binding!["spec"]!["validationActions"]!.ToJsonString());
            Assert.Equal("rel-platform-node-agent-pod-status", (string?)binding["spec"]!["policyName"]);
        }
    }

    [Theory]
    [InlineData("false", "true")]
    [InlineData("auto", "")]
    public async Task PodStatusPolicy_FollowsTheNodePatchPolicySwitch(string enabled, string servedApi)
    {
        string[] api = servedApi.Length > 0 ? ["--api-versions", PolicyApi] : [];
        var chart = await RenderedChart.RenderAsync(["--set", $"nodeAgent.nodePatchPolicy.enabled={enabled},nodeAgent.remediation.mode=evict", .. api]).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain("ValidatingAdmissionPolicy", chart.Kinds);
    }

    [Theory]
    [InlineData("drain")]
    [InlineData("evict")]
    public async Task NetworkPolicy_InModesThatCallRay_LetsOutTheGcsAndDns(string mode)
    {
        var chart = await RenderedChart.RenderAsync("--set", $"nodeAgent.networkPolicy.enabled=true,nodeAgent.remediation.mode={mode}").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(
            """[{"ports":[{"port":443,"protocol":"TCP"},{"port":6443,"protocol":"TCP"}]},"""
            + """{"ports":[{"port":6379,"protocol":"TCP"}],"to":[{"namespaceSelector":{},"podSelector":{"matchLabels":{"ray.io/node-type":"head"}}}]},"""
            + """{"ports":[{"port":53,"protocol":"UDP"},{"port":53,"protocol":"TCP"}]}]""",
            AgentEgress(chart));
    }

    [Fact]
    public async Task NetworkPolicy_GcsPortAndPeers_FollowTheValues()
    {
        var chart = await RenderedChart.RenderAsync(
            "--set", "nodeAgent.networkPolicy.enabled=true,nodeAgent.remediation.mode=evict",
            "--set-json", "nodeAgent.remediation.gcsAddress=\"{cluster}-gcs.{namespace}:16379\"",
            "--set-json", """nodeAgent.networkPolicy.rayGcsTo=[]""",
            "--set-json", """nodeAgent.networkPolicy.dnsTo=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}}]""").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(
            """[{"ports":[{"port":443,"protocol":"TCP"},{"port":6443,"protocol":"TCP"}]},"""
            + """{"ports":[{"port":16379,"protocol":"TCP"}]},"""
            + """{"ports":[{"port":53,"protocol":"UDP"},{"port":53,"protocol":"TCP"}],"to":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}}]}]""",
            AgentEgress(chart));
    }

    [Theory]
    [InlineData("off")]
    [InlineData("annotate")]
    public async Task NetworkPolicy_InModesThatDoNotCallRay_StaysClosed(string mode)
    {
        var chart = await RenderedChart.RenderAsync("--set", $"nodeAgent.networkPolicy.enabled=true,nodeAgent.remediation.mode={mode}").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal("""[{"ports":[{"port":443,"protocol":"TCP"},{"port":6443,"protocol":"TCP"}]}]""", AgentEgress(chart));
    }

    [Theory]
    [InlineData(4, "--set", "nodeAgent.remediation.mode=panic", "/nodeAgent/remediation/mode")]
    [InlineData(3, "--set", "nodeAgent.remediation.mode=panic", "nodeAgent.remediation.mode")]
    [InlineData(4, "--set", "nodeAgent.remediation.mode=Evict", "/nodeAgent/remediation/mode")]
    [InlineData(4, "--set", "nodeAgent.remediation.nonRayPods=drain", "/nodeAgent/remediation/nonRayPods")]
    [InlineData(4, "--set", "nodeAgent.remediation.drainTimeout=600", "/nodeAgent/remediation/drainTimeout")]
    [InlineData(3, "--set", "nodeAgent.remediation.drainTimeout=600", "nodeAgent.remediation.drainTimeout")]
    [InlineData(4, "--set", "nodeAgent.remediation.drainTimeout=10 minutes", "/nodeAgent/remediation/drainTimeout")]
    [InlineData(4, "--set", "nodeAgent.remediation.drainTimeout=00:10:00", "/nodeAgent/remediation/drainTimeout")]
    [InlineData(4, "--set", "nodeAgent.remediation.nodeRecoveryWindow=30", "/nodeAgent/remediation/nodeRecoveryWindow")]
    [InlineData(4, "--set", "nodeAgent.remediation.maxEvictionsPerNodePerHour=-1", "/nodeAgent/remediation/maxEvictionsPerNodePerHour")]
    [InlineData(4, "--set", "nodeAgent.remediation.nodeFaultGpus=1", "/nodeAgent/remediation/nodeFaultGpus")]
    [InlineData(4, "--set-json", "nodeAgent.remediation.maxDisruptedNodeFraction=0", "/nodeAgent/remediation/maxDisruptedNodeFraction")]
    [InlineData(4, "--set-json", "nodeAgent.remediation.maxDisruptedNodeFraction=1.5", "/nodeAgent/remediation/maxDisruptedNodeFraction")]
    [InlineData(4, "--set", "nodeAgent.remediation.minDisruptedNodes=0", "/nodeAgent/remediation/minDisruptedNodes")]
    [InlineData(4, "--set", "nodeAgent.remediation.dryRun=maybe", "/nodeAgent/remediation/dryRun")]
    [InlineData(4, "--set", "nodeAgent.remediation.gcsAddress=head-svc", "/nodeAgent/remediation/gcsAddress")]
    [InlineData(4, "--set", "nodeAgent.remediation.gpuNodeSelector=", "/nodeAgent/remediation/gpuNodeSelector")]
    [InlineData(4, "--set", "nodeAgent.remediation.gpuNodeSelector=gpu = yes", "/nodeAgent/remediation/gpuNodeSelector")]
    [InlineData(4, "--set", "nodeAgent.remediation.evictEverything=true", "remediation")]
    [InlineData(4, "--set-json", "nodeAgent.networkPolicy.rayGcsTo=[{}]", "/nodeAgent/networkPolicy/rayGcsTo")]
    public async Task BadValues_AreRefusedByTheSchemaNamingTheKey(int helm, string flag, string setting, string key)
    {
        var result = await Helm.RunAsync(helm, "template", "rel", Helm.ChartDirectory, flag, setting).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(key, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nodeAgent.remediation.drainTimeout=0s", "nodeAgent.remediation.drainTimeout is 0s: it must be longer than zero")]
    [InlineData("nodeAgent.remediation.nodeRecoveryWindow=0h0m", "nodeAgent.remediation.nodeRecoveryWindow is 0h0m: it must be longer than zero")]
    [InlineData("nodeAgent.remediation.gcsAddress=head:70000", "nodeAgent.remediation.gcsAddress is head:70000: its port must be 1-65535")]
    [InlineData("nodeAgent.config.Remediation.Mode=Evict", "nodeAgent.config.Remediation.Mode is set by the chart from nodeAgent.remediation: set it there instead")]
    [InlineData("nodeAgent.config.remediation.drainTimeout=01:00:00", "nodeAgent.config.remediation.drainTimeout is set by the chart from nodeAgent.remediation")]
    public async Task BadValues_TheSchemaCannotSee_FailRenderingWithTheFix(string setting, string message)
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", setting).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    private static List<string> Args(RenderedChart chart) =>
        [.. chart.Single("DaemonSet")["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!)];

    private static string AgentEgress(RenderedChart chart) => chart.Find("NetworkPolicy", "rel-platform-node-agent")!["spec"]!["egress"]!.ToJsonString();

    /// <summary>The test's own reading of a duration value, to check the chart's arithmetic against.</summary>
    private static TimeSpan ParseDuration(string duration)
    {
        var total = TimeSpan.Zero;
        foreach (Match part in Regex.Matches(duration, "([0-9]+)([hms])"))
        {
            var n = int.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch { "h" => TimeSpan.FromHours(n), "m" => TimeSpan.FromMinutes(n), _ => TimeSpan.FromSeconds(n) };
        }

        return total;
    }
}
