using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary>
/// The rendered node-patch ValidatingAdmissionPolicy, evaluated by an independent CEL implementation
/// (tests/tools/helm/vap-eval.mjs, npm @marcbachmann/cel-js) against the Node updates the agent makes and the ones
/// a compromised agent could try: own Node vs another, owned label keys and taints vs foreign ones, other users.
/// </summary>
public sealed class NodePatchPolicyTests : IClassFixture<NodePatchPolicyTests.Verdicts>
{
    private const string Agent = "system:serviceaccount:ray-system:rel-platform-node-agent";

    private readonly IReadOnlyDictionary<string, JsonObject> _verdicts;

    public NodePatchPolicyTests(Verdicts verdicts) => _verdicts = verdicts.ByName;

    /// <summary>name, user, node the token names (null: none), Node patched, old labels, new labels, old taints, new taints.</summary>
    private static readonly NodePatchCase[] Cases =
    [
        new("own node, GPU labels added", Agent, "gpu-1", "gpu-1", """{"kubernetes.io/hostname":"gpu-1"}""", """{"kubernetes.io/hostname":"gpu-1","nvidia.com/gpu.present":"true","nvidia.com/gpu.count":"8","nvidia.com/cuda.driver-version.major":"550","nvidia.com/gfd.timestamp":"1"}""", "[]", "[]", null),
        new("own node, stale GPU label removed", Agent, "gpu-1", "gpu-1", """{"nvidia.com/gpu.replicas":"4","a":"b"}""", """{"a":"b"}""", "[]", "[]", null),
        new("own node, MIG and own labels", Agent, "gpu-1", "gpu-1", "{}", """{"nvidia.com/mig.capable":"true","nvidia.com/mig-1g.10gb.count":"7","raygpu.io/xid":"79"}""", "[]", "[]", null),
        new("own node, mode switch flipped", Agent, "gpu-1", "gpu-1", """{"raygpu.io/node-agent-mode":"devicePlugin"}""", """{"raygpu.io/node-agent-mode":"dra"}""", "[]", "[]", null),
        new("own node, foreign label added", Agent, "gpu-1", "gpu-1", "{}", """{"node-role.kubernetes.io/control-plane":""}""", "[]", "[]", null),
        new("own node, foreign label removed", Agent, "gpu-1", "gpu-1", """{"topology.kubernetes.io/zone":"a"}""", "{}", "[]", "[]", null),
        new("own node, foreign label changed beside owned ones", Agent, "gpu-1", "gpu-1", """{"team":"a"}""", """{"team":"b","nvidia.com/gpu.present":"true"}""", "[]", "[]", null),
        new("own node, GPU Operator switch flipped", Agent, "gpu-1", "gpu-1", "{}", """{"nvidia.com/gpu.deploy.device-plugin":"false"}""", "[]", "[]", null),
        new("other node, owned label", Agent, "gpu-1", "gpu-2", "{}", """{"nvidia.com/gpu.present":"true"}""", "[]", "[]", null),
        new("token without a node", Agent, null, "gpu-1", "{}", """{"nvidia.com/gpu.present":"true"}""", "[]", "[]", null),
        new("own node, configured taint added beside foreign ones", Agent, "gpu-1", "gpu-1", "{}", "{}",
            """[{"key":"dedicated","value":"ml","effect":"NoSchedule"}]""",
            """[{"key":"dedicated","value":"ml","effect":"NoSchedule"},{"key":"gpu-only","value":"yes","effect":"NoSchedule"},{"key":"nvidia.com/gpu","value":"present","effect":"NoSchedule"}]""", null),
        new("own node, owned taint value changed", Agent, "gpu-1", "gpu-1", "{}", "{}",
            """[{"key":"raygpu.io/unhealthy","value":"GPU-1","effect":"NoSchedule"}]""", """[{"key":"raygpu.io/unhealthy","value":"GPU-2","effect":"NoSchedule"}]""", null),
        new("own node, foreign taint removed", Agent, "gpu-1", "gpu-1", "{}", "{}",
            """[{"key":"node.kubernetes.io/not-ready","effect":"NoExecute","timeAdded":"2026-01-01T00:00:00Z"}]""", "[]", null),
        new("own node, foreign taint added", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", """[{"key":"dedicated","value":"mine","effect":"NoSchedule"}]""", null),
        new("own node, foreign taint value changed", Agent, "gpu-1", "gpu-1", "{}", "{}",
            """[{"key":"dedicated","value":"ml","effect":"NoSchedule"}]""", """[{"key":"dedicated","value":"web","effect":"NoSchedule"}]""", null),
        new("own node, annotation added", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", "[]", "annotation"),
        new("own node, cordoned", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", "[]", "cordon"),
        new("kubelet, any change", "system:node:gpu-2", "gpu-2", "gpu-1", """{"team":"a"}""", "{}", "[]", """[{"key":"x","effect":"NoSchedule"}]""", null),
        new("administrator, any change", "admin", null, "gpu-1", "{}", """{"nvidia.com/gpu.present":"false"}""", "[]", "[]", "cordon"),
        new("another service account, same namespace", "system:serviceaccount:ray-system:other", "gpu-1", "gpu-2", "{}", """{"team":"x"}""", "[]", "[]", null),
    ];

    [Theory]
    [InlineData("own node, GPU labels added")]
    [InlineData("own node, stale GPU label removed")]
    [InlineData("own node, MIG and own labels")]
    [InlineData("own node, configured taint added beside foreign ones")]
    [InlineData("own node, owned taint value changed")]
    public void AgentPatch_OfItsOwnKeysOnItsOwnNode_IsAllowed(string name)
    {
        AdmissionPolicyEvaluator.AssertAllowed(_verdicts[name]);
    }

    [Theory]
    [InlineData("own node, foreign label added", "own label keys")]
    [InlineData("own node, foreign label removed", "own label keys")]
    [InlineData("own node, foreign label changed beside owned ones", "own label keys")]
    [InlineData("own node, GPU Operator switch flipped", "own label keys")]
    [InlineData("own node, mode switch flipped", "own label keys")]
    [InlineData("other node, owned label", "the node agent on gpu-1 may not patch Node gpu-2")]
    [InlineData("token without a node", "its token names no Node")]
    [InlineData("own node, foreign taint removed", "own taints")]
    [InlineData("own node, foreign taint added", "own taints")]
    [InlineData("own node, foreign taint value changed", "own taints")]
    [InlineData("own node, annotation added", "annotations")]
    [InlineData("own node, cordoned", "cordon")]
    public void AgentPatch_BeyondItsOwnKeysOrNode_IsRefused(string name, string message)
    {
        AdmissionPolicyEvaluator.AssertRefused(_verdicts[name], message);
    }

    [Theory]
    [InlineData("kubelet, any change")]
    [InlineData("administrator, any change")]
    [InlineData("another service account, same namespace")]
    public void OtherUsers_AreNotThePolicysBusiness(string name)
    {
        AdmissionPolicyEvaluator.AssertNotMatched(_verdicts[name]);
    }

    [Fact]
    public async Task Policy_WithQuotesAndBackslashesInItsValues_StaysValidCel()
    {
        NodePatchCase[] cases =
        [
            new("quoted prefix", Agent, "gpu-1", "gpu-1", "{}", """{"it's.example/x":"1","a\\b.example/y":"2"}""", "[]", "[]", null),
            new("other prefix", Agent, "gpu-1", "gpu-1", "{}", """{"nvidia.com/gpu.present":"true"}""", "[]", "[]", null),
        ];

        var verdicts = await Verdicts.EvaluateAsync(cases, "--set-json", """nodeAgent.nodePatchPolicy.labelPrefixes=["it's.example/","a\\b.example/"]""")
            .WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True((bool)verdicts["quoted prefix"]["allowed"]!, verdicts["quoted prefix"].ToJsonString());
        Assert.False((bool)verdicts["other prefix"]["allowed"]!, verdicts["other prefix"].ToJsonString());
    }

    [Theory]
    [InlineData("drain")]
    [InlineData("evict")]
    public async Task RemediatingAnnotation_InDrainAndEvictModes_IsTheOnlyAnnotationAllowed(string mode)
    {
        NodePatchCase[] cases =
        [
            new("own annotation added", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", "[]", "remediating"),
            new("own annotation removed", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", "[]", "remediated"),
            new("foreign annotation added", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", "[]", "annotation"),
            new("own annotation on another node", Agent, "gpu-1", "gpu-2", "{}", "{}", "[]", "[]", "remediating"),
        ];

        var verdicts = await Verdicts.EvaluateAsync(cases, "--set", $"nodeAgent.remediation.mode={mode}").WaitAsync(TimeSpan.FromSeconds(120));

        AdmissionPolicyEvaluator.AssertAllowed(verdicts["own annotation added"]);
        AdmissionPolicyEvaluator.AssertAllowed(verdicts["own annotation removed"]);
        AdmissionPolicyEvaluator.AssertRefused(verdicts["foreign annotation added"], "annotations other than its own");
        AdmissionPolicyEvaluator.AssertRefused(verdicts["own annotation on another node"], "the node agent on gpu-1 may not patch Node gpu-2");
    }

    [Theory]
    [InlineData("off")]
    [InlineData("annotate")]
    public async Task RemediatingAnnotation_InModesThatDoNotDrain_IsRefused(string mode)
    {
        NodePatchCase[] cases = [new("own annotation added", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", "[]", "remediating")];

        var verdicts = await Verdicts.EvaluateAsync(cases, "--set", $"nodeAgent.remediation.mode={mode}").WaitAsync(TimeSpan.FromSeconds(120));

        AdmissionPolicyEvaluator.AssertRefused(verdicts["own annotation added"], "annotations other than its own");
    }

    [Fact]
    public async Task EvictionsAnnotation_InEvictMode_Allowed()
    {
        NodePatchCase[] cases =
        [
            new("own evictions set", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", "[]", "evictions"),
            new("own evictions on another node", Agent, "gpu-1", "gpu-2", "{}", "{}", "[]", "[]", "evictions"),
        ];

        var verdicts = await Verdicts.EvaluateAsync(cases, "--set", "nodeAgent.remediation.mode=evict").WaitAsync(TimeSpan.FromSeconds(120));

        AdmissionPolicyEvaluator.AssertAllowed(verdicts["own evictions set"]);
        AdmissionPolicyEvaluator.AssertRefused(verdicts["own evictions on another node"], "the node agent on gpu-1 may not patch Node gpu-2");
    }

    /// <summary>Only mode evict evicts, so only it may write the eviction count.</summary>
    [Theory]
    [InlineData("off")]
    [InlineData("annotate")]
    [InlineData("drain")]
    public async Task EvictionsAnnotation_InModesThatDoNotEvict_IsRefused(string mode)
    {
        NodePatchCase[] cases = [new("own evictions set", Agent, "gpu-1", "gpu-1", "{}", "{}", "[]", "[]", "evictions")];

        var verdicts = await Verdicts.EvaluateAsync(cases, "--set", $"nodeAgent.remediation.mode={mode}").WaitAsync(TimeSpan.FromSeconds(120));

        AdmissionPolicyEvaluator.AssertRefused(verdicts["own evictions set"], "annotations other than its own");
    }

    [Fact]
    public void EveryCase_HasAVerdict() => Assert.Equal(Cases.Select(c => c.Name).Order(StringComparer.Ordinal), _verdicts.Keys.Order(StringComparer.Ordinal));

    /// <summary>Renders the policy once (with a configured taint) and evaluates every case in one node process.</summary>
    public sealed class Verdicts : IAsyncLifetime
    {
        internal IReadOnlyDictionary<string, JsonObject> ByName { get; private set; } = null!;

        public async Task InitializeAsync() =>
            ByName = await EvaluateAsync(Cases, "--set", "nodeAgent.config.Node.Taints[0]=gpu-only=yes:NoSchedule");

        public Task DisposeAsync() => Task.CompletedTask;

        /// <summary>Renders the chart with the policy on and <paramref name="chartArgs"/>, and evaluates every case.</summary>
        internal static async Task<Dictionary<string, JsonObject>> EvaluateAsync(IEnumerable<NodePatchCase> cases, params string[] chartArgs)
        {
            var chart = await RenderedChart.RenderAsync(["--set", "nodeAgent.nodePatchPolicy.enabled=true", .. chartArgs]).WaitAsync(TimeSpan.FromSeconds(90));
            var requests = new JsonArray();
            foreach (var c in cases)
            {
                requests.Add(new JsonObject
                {
                    ["name"] = c.Name,
                    ["userInfo"] = AdmissionPolicyEvaluator.UserInfo(c.User, c.TokenNode),
                    // "remediated": the agent's annotation was there before and is removed.
                    ["oldObject"] = Node(c.Node, c.OldLabels, c.OldTaints, c.Extra == "remediated" ? "remediating" : null),
                    ["object"] = Node(c.Node, c.NewLabels, c.NewTaints, c.Extra == "remediated" ? null : c.Extra),
                });
            }

            return await AdmissionPolicyEvaluator.EvaluateAsync(chart.Find("ValidatingAdmissionPolicy", "rel-platform-node-agent-node-patch")!, requests);
        }

        private static JsonObject Node(string name, string labels, string taints, string? extra)
        {
            var metadata = new JsonObject { ["name"] = name, ["labels"] = JsonNode.Parse(labels) };
            var spec = new JsonObject { ["taints"] = JsonNode.Parse(taints), ["podCIDR"] = "10.0.0.0/24" };
            if (extra == "annotation")
            {
                metadata["annotations"] = new JsonObject { ["example.com/note"] = "x" };
            }
            else if (extra == "remediating")
            {
                metadata["annotations"] = new JsonObject { ["raygpu.io/remediating"] = "GPU-1" };
            }
            else if (extra == "evictions")
            {
                metadata["annotations"] = new JsonObject { ["raygpu.io/evictions"] = "2026-03-01T12:00:00Z" };
            }
            else if (extra == "cordon")
            {
                spec["unschedulable"] = true;
            }

            return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = metadata, ["spec"] = spec };
        }
    }
}
