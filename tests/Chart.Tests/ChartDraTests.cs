using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary>
/// <c>nodeAgent.mode</c> and <c>nodeAgent.dra.*</c> (docs/dra.md, DECISIONS 10): one DaemonSet per mode chosen per node by
/// the label <c>raygpu.io/node-agent-mode</c>, never both on one node; the DRA agent's arguments and host paths, its
/// DeviceClasses and RBAC.
/// </summary>
public sealed class ChartDraTests
{
    private const string ModeLabel = "raygpu.io/node-agent-mode";
    private const string DraApi = "resource.k8s.io/v1/DeviceClass";

    private static JsonNode PodSpec(JsonObject daemonSet) => daemonSet["spec"]!["template"]!["spec"]!;

    private static JsonNode Container(JsonObject daemonSet) => PodSpec(daemonSet)["containers"]![0]!;

    private static List<string> Args(JsonObject daemonSet) => [.. Container(daemonSet)["args"]!.AsArray().Select(a => (string)a!)];

    private static JsonObject DevicePluginDaemonSet(RenderedChart chart) => chart.Find("DaemonSet", "rel-platform-node-agent")!;

    private static JsonObject DraDaemonSet(RenderedChart chart) => chart.Find("DaemonSet", "rel-platform-node-agent-dra")!;

    private static Task<RenderedChart> RenderAsync(params string[] args) => RenderedChart.RenderAsync(args).WaitAsync(TimeSpan.FromSeconds(90));

    [Fact]
    public async Task Default_WithoutTheDraApi_RendersOnlyTheDevicePluginModeWithNoModeRequirement()
    {
        var chart = await RenderAsync();

        var daemonSet = chart.Single("DaemonSet");
        Assert.Equal("rel-platform-node-agent", (string?)daemonSet["metadata"]!["name"]);
        Assert.Empty(chart.All("DeviceClass"));
        Assert.DoesNotContain(ModeLabel, PodSpec(daemonSet)["affinity"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Args(daemonSet), a => a.StartsWith("--Dra:", StringComparison.Ordinal) || a.StartsWith("--DevicePlugin:Enabled", StringComparison.Ordinal));
        Assert.Equal("devicePlugin", (string?)daemonSet["spec"]!["template"]!["metadata"]!["labels"]![ModeLabel]);
    }

    [Fact]
    public async Task Auto_WhereTheApiServesDeviceClasses_RendersBothModesAndTheClasses()
    {
        var chart = await RenderAsync("--api-versions", DraApi);

        Assert.Equal(["rel-platform-node-agent", "rel-platform-node-agent-dra"], chart.All("DaemonSet").Select(d => (string)d["metadata"]!["name"]!).Order(StringComparer.Ordinal));
        Assert.Equal(["extended-resource.gpu.raygpu.io", "gpu.raygpu.io"], chart.All("DeviceClass").Select(d => (string)d["metadata"]!["name"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ModeDra_DraDaemonSet_RunsTheDriverWithoutTheDevicePluginAndMountsItsHostPaths()
    {
        var chart = await RenderAsync("--set", "nodeAgent.mode=dra,nodeAgent.kubeletRoot=/var/snap/microk8s/common/var/lib/kubelet/,nodeAgent.dra.deviceTaints=true");
        var daemonSet = DraDaemonSet(chart);
        var args = Args(daemonSet);

        Assert.Contains("--Dra:Enabled=true", args);
        Assert.Contains("--DevicePlugin:Enabled=false", args);
        Assert.Contains("--Dra:DriverName=gpu.raygpu.io", args);
        Assert.Contains("--Dra:DeviceTaints=true", args);
        Assert.Contains("--Dra:CdiDirectory=/var/run/cdi", args);
        Assert.Contains("--Mig:Strategy=none", args);
        // The kubelet dials the endpoint the agent reports: the directories are mounted at their host paths.
        const string root = "/var/snap/microk8s/common/var/lib/kubelet";
        Assert.Contains($"--Dra:PluginDirectory={root}/plugins/gpu.raygpu.io", args);
        Assert.Contains($"--Dra:RegistryDirectory={root}/plugins_registry", args);
        var volumes = PodSpec(daemonSet)["volumes"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => (string)v!["hostPath"]?["path"]!);
        var mounts = Container(daemonSet)["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => m!);
        foreach (var (name, path) in new[] { ("dra-plugin", $"{root}/plugins/gpu.raygpu.io"), ("plugins-registry", $"{root}/plugins_registry"), ("cdi", "/var/run/cdi") })
        {
            Assert.Equal(path, volumes[name]);
            Assert.Equal(path, (string?)mounts[name]["mountPath"]);
            Assert.Null(mounts[name]["readOnly"]);
        }

        // No device plugin in DRA mode: nothing of its directory (where a device plugin could register itself).
        Assert.DoesNotContain("device-plugins", volumes.Keys);
        Assert.DoesNotContain("device-plugins", mounts.Keys);
        Assert.Equal("dra", (string?)daemonSet["spec"]!["template"]!["metadata"]!["labels"]![ModeLabel]);

        // The device-plugin DaemonSet of the same release stays as it was, apart from where it runs.
        var devicePlugin = DevicePluginDaemonSet(chart);
        Assert.DoesNotContain(Args(devicePlugin), a => a.StartsWith("--Dra:", StringComparison.Ordinal));
        Assert.DoesNotContain(PodSpec(devicePlugin)["volumes"]!.AsArray(), v => (string?)v!["name"] == "dra-plugin");
    }

    [Fact]
    public async Task DaemonSets_SelectorsNeverMatchTheOtherModesPods_TheServiceAndNetworkPolicySelectBoth()
    {
        var chart = await RenderAsync("--set", "nodeAgent.mode=dra,nodeAgent.serviceMonitor.enabled=true,nodeAgent.networkPolicy.enabled=true");
        var daemonSets = chart.All("DaemonSet").ToList();
        var podLabels = daemonSets.Select(d => d["spec"]!["template"]!["metadata"]!["labels"]!.AsObject()).ToList();
        var webhookLabels = chart.Single("Deployment")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

        for (var i = 0; i < daemonSets.Count; i++)
        {
            var selector = daemonSets[i]["spec"]!["selector"]!["matchLabels"]!.AsObject();
            for (var j = 0; j < podLabels.Count; j++)
            {
                Assert.Equal(i == j, Selects(selector, podLabels[j]));
            }
        }

        var service = chart.Find("Service", "rel-platform-node-agent")!["spec"]!["selector"]!.AsObject();
        var policy = chart.Find("NetworkPolicy", "rel-platform-node-agent")!["spec"]!["podSelector"]!["matchLabels"]!.AsObject();
        foreach (var selector in new[] { service, policy })
        {
            Assert.All(podLabels, labels => Assert.True(Selects(selector, labels), selector.ToJsonString()));
            Assert.False(Selects(selector, webhookLabels));
        }
    }

    /// <summary>The label values a node may carry: none, either mode, a typo.</summary>
    public static TheoryData<string, string> Placements()
    {
        var data = new TheoryData<string, string>();
        foreach (var mode in new[] { "devicePlugin", "dra" })
        {
            foreach (var affinity in new[] { "chart", "user" })
            {
                data.Add(mode, affinity);
            }
        }

        return data;
    }

    /// <summary>Every GPU node, whatever it is labelled, admits exactly one of the two DaemonSets: the default mode's where
    /// the label is absent or names no mode, the named mode's where it names one. Also with the user's own affinity.</summary>
    [Theory]
    [MemberData(nameof(Placements))]
    public async Task Modes_EveryGpuNode_GetsExactlyOneAgent(string mode, string affinity)
    {
        string[] extra = affinity == "user"
            ? ["--set-json", """nodeAgent.affinity={"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"pool","operator":"In","values":["gpu"]}]},{"matchExpressions":[{"key":"nvidia.com/gpu.present","operator":"Exists"}]}]}}}"""]
            : [];
        var chart = await RenderAsync(["--set", $"nodeAgent.mode={mode},nodeAgent.dra.enabled=true", .. extra]);
        var daemonSets = chart.All("DaemonSet").ToDictionary(d => (string)d["metadata"]!["name"]!, d => PodSpec(d));
        Assert.Equal(2, daemonSets.Count);

        foreach (var gpu in new[] { "nvidia.com/gpu.present", "pool" })
        {
            foreach (var label in new string?[] { null, "devicePlugin", "dra", "DRA", "" })
            {
                var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [gpu] = gpu == "pool" ? "gpu" : "true" };
                if (label is not null)
                {
                    labels[ModeLabel] = label;
                }

                var admitting = daemonSets.Where(d => NodeAffinity.Admits(d.Value, labels)).Select(d => d.Key).ToList();
                var expected = (label is "devicePlugin" or "dra" ? label : mode) == "dra" ? "rel-platform-node-agent-dra" : "rel-platform-node-agent";
                if (affinity == "chart" && gpu == "pool")
                {
                    // Not a GPU node by the chart's selector terms: neither runs there.
                    Assert.Empty(admitting);
                    continue;
                }

                Assert.True(admitting.Count == 1 && admitting[0] == expected, $"{mode}/{affinity}, node {string.Join(",", labels)}: {string.Join(",", admitting)}");
            }
        }
    }

    [Fact]
    public async Task DeviceClasses_AreSwitchable_AndTheMappingNamesTheExtendedResource()
    {
        var both = await RenderAsync("--set", "nodeAgent.mode=dra,nodeAgent.dra.driverName=gpu.example.com");
        var noMapping = await RenderAsync("--set", "nodeAgent.mode=dra,nodeAgent.dra.deviceClasses.extendedResourceMapping=false");
        var none = await RenderAsync("--set", "nodeAgent.mode=dra,nodeAgent.dra.deviceClasses.enabled=false,nodeAgent.dra.deviceClasses.extendedResourceMapping=false");

        var main = both.Find("DeviceClass", "gpu.example.com")!;
        var mapping = both.Find("DeviceClass", "extended-resource.gpu.example.com")!;
        Assert.Equal("device.driver == 'gpu.example.com'", (string?)main["spec"]!["selectors"]![0]!["cel"]!["expression"]);
        Assert.Null(main["spec"]!["extendedResourceName"]);
        Assert.Equal("nvidia.com/gpu", (string?)mapping["spec"]!["extendedResourceName"]);
        Assert.Equal("device.driver == 'gpu.example.com'", (string?)mapping["spec"]!["selectors"]![0]!["cel"]!["expression"]);
        Assert.Contains("--Dra:DriverName=gpu.example.com", Args(DraDaemonSet(both)));
        Assert.Equal(["gpu.raygpu.io"], noMapping.All("DeviceClass").Select(d => (string)d["metadata"]!["name"]!));
        Assert.Empty(none.All("DeviceClass"));
    }

    [Fact]
    public async Task Rbac_DraRole_GrantsExactlyTheSliceAndClaimCalls()
    {
        var chart = await RenderAsync("--set", "nodeAgent.mode=dra");

        var role = chart.Find("ClusterRole", "rel-platform-node-agent-dra")!;
        Assert.Equal(
            """[{"apiGroups":["resource.k8s.io"],"resources":["resourceslices"],"verbs":["list","watch","create","update","delete"]},{"apiGroups":["resource.k8s.io"],"resources":["resourceclaims"],"verbs":["get"]}]""",
            role["rules"]!.ToJsonString());
        var binding = chart.Find("ClusterRoleBinding", "rel-platform-node-agent-dra")!;
        Assert.Equal("rel-platform-node-agent", (string?)binding["subjects"]![0]!["name"]);
        Assert.Null((await RenderAsync()).Find("ClusterRole", "rel-platform-node-agent-dra"));
    }

    [Theory]
    [InlineData("nodeAgent.config.Dra.Enabled=true", "must not set Dra:Enabled")]
    [InlineData("nodeAgent.config.Dra.DriverName=x.example", "must not set Dra:DriverName")]
    [InlineData("nodeAgent.config.DevicePlugin.Enabled=false", "must not set DevicePlugin:Enabled")]
    [InlineData("nodeAgent.mode=dra,nodeAgent.dra.enabled=false", "set nodeAgent.dra.enabled to auto or true")]
    [InlineData("nodeAgent.mode=dra,nodeAgent.mig.strategy=mixed", "publishes whole GPUs only")]
    [InlineData("nodeAgent.mode=both", "mode")]
    [InlineData("nodeAgent.dra.driverName=Not_A_Name", "driverName")]
    public async Task Values_ThatWouldPutBothModesOrAnotherDriverOnANode_FailToRender(string settings, string message)
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", settings).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mig_OnDevicePluginNodes_LeavesTheAutoRenderedDraDaemonSetWholeGpus()
    {
        var chart = await RenderAsync("--api-versions", DraApi, "--set", "nodeAgent.mig.strategy=mixed");

        Assert.Contains("--Mig:Strategy=mixed", Args(DevicePluginDaemonSet(chart)));
        Assert.Contains("--Mig:Strategy=none", Args(DraDaemonSet(chart)));
        Assert.Null(Container(DraDaemonSet(chart))["securityContext"]!["capabilities"]!["add"]);
    }

    private static bool Selects(JsonObject selector, JsonObject labels) =>
        selector.All(pair => labels.TryGetPropertyValue(pair.Key, out var value) && (string?)value == (string?)pair.Value);
}
