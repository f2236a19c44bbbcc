using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary>
/// The rendered pod-status ValidatingAdmissionPolicy (remediation's pod condition), evaluated by an independent CEL
/// implementation against the agent's own patches and the ones a compromised agent could try: pods on its own Node vs
/// another Node or none, its own condition vs the kubelet's, and other users.
/// </summary>
public sealed class PodStatusPolicyTests : IClassFixture<PodStatusPolicyTests.Verdicts>
{
    private const string Agent = "system:serviceaccount:ray-system:rel-platform-node-agent";

    private const string Ready = """{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}""";

    private const string GpuUnhealthy =
        """{"type":"raygpu.io/GPUHealthy","status":"False","reason":"GpuFaultAnnotated","message":"XID 79 on GPU-1 (node gpu-1)","lastTransitionTime":"2026-01-01T01:00:00Z"}""";

    private const string GpuDraining =
        """{"type":"raygpu.io/GPUHealthy","status":"False","reason":"GpuFaultDraining","message":"XID 79 on GPU-1 (node gpu-1)","lastTransitionTime":"2026-01-01T01:00:00Z"}""";

    private readonly IReadOnlyDictionary<string, JsonObject> _verdicts;

    public PodStatusPolicyTests(Verdicts verdicts) => _verdicts = verdicts.ByName;

    /// <summary>name, user, node the token names (null: none), the pod's node (null: unbound), conditions and phase before and after.</summary>
    private static readonly PodStatusCase[] Cases =
    [
        new("own node, condition added", Agent, "gpu-1", "gpu-1", $"[{Ready}]", $"[{Ready},{GpuUnhealthy}]", "Running", "Running"),
        new("own node, condition's stage changed", Agent, "gpu-1", "gpu-1", $"[{Ready},{GpuUnhealthy}]", $"[{Ready},{GpuDraining}]", "Running", "Running"),
        new("own node, condition added to a pod without conditions", Agent, "gpu-1", "gpu-1", "null", $"[{GpuUnhealthy}]", "Running", "Running"),
        new("other node", Agent, "gpu-1", "gpu-2", $"[{Ready}]", $"[{Ready},{GpuUnhealthy}]", "Running", "Running"),
        new("unbound pod", Agent, "gpu-1", null, "[]", $"[{GpuUnhealthy}]", "Pending", "Pending"),
        new("token without a node", Agent, null, "gpu-1", $"[{Ready}]", $"[{Ready},{GpuUnhealthy}]", "Running", "Running"),
        new("own node, kubelet's condition changed", Agent, "gpu-1", "gpu-1", $"[{Ready}]", $"[{Ready.Replace("True", "False", StringComparison.Ordinal)},{GpuUnhealthy}]", "Running", "Running"),
        new("own node, kubelet's condition removed", Agent, "gpu-1", "gpu-1", $"[{Ready}]", $"[{GpuUnhealthy}]", "Running", "Running"),
        new("own node, phase changed", Agent, "gpu-1", "gpu-1", $"[{Ready}]", $"[{Ready},{GpuUnhealthy}]", "Running", "Failed"),
        new("kubelet, any change", "system:node:gpu-2", "gpu-2", "gpu-1", $"[{Ready}]", "[]", "Running", "Failed"),
        new("administrator, any change", "admin", null, "gpu-1", $"[{Ready}]", "[]", "Running", "Succeeded"),
        new("another service account, same namespace", "system:serviceaccount:ray-system:other", "gpu-1", "gpu-2", "[]", $"[{GpuUnhealthy}]", "Running", "Running"),
    ];

    [Theory]
    [InlineData("own node, condition added")]
    [InlineData("own node, condition's stage changed")]
    [InlineData("own node, condition added to a pod without conditions")]
    public void AgentPatch_OfItsConditionOnAPodOfItsNode_IsAllowed(string name)
    {
        AdmissionPolicyEvaluator.AssertAllowed(_verdicts[name]);
    }

    [Theory]
    [InlineData("other node", "the node agent on gpu-1 may not change the status of pod worker-1 on Node gpu-2")]
    [InlineData("unbound pod", "which is bound to no Node")]
    [InlineData("token without a node", "its token names no Node")]
    [InlineData("own node, kubelet's condition changed", "only its own pod conditions")]
    [InlineData("own node, kubelet's condition removed", "only its own pod conditions")]
    [InlineData("own node, phase changed", "phase")]
    public void AgentPatch_BeyondItsConditionOrNode_IsRefused(string name, string message)
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
    public void EveryCase_HasAVerdict() => Assert.Equal(Cases.Select(c => c.Name).Order(StringComparer.Ordinal), _verdicts.Keys.Order(StringComparer.Ordinal));

    /// <summary>Renders the policy once (mode evict) and evaluates every case in one node process.</summary>
    public sealed class Verdicts : IAsyncLifetime
    {
        internal IReadOnlyDictionary<string, JsonObject> ByName { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var chart = await RenderedChart.RenderAsync("--set", "nodeAgent.nodePatchPolicy.enabled=true,nodeAgent.remediation.mode=evict").WaitAsync(TimeSpan.FromSeconds(90));
            var requests = new JsonArray();
            foreach (var c in Cases)
            {
                requests.Add(new JsonObject
                {
                    ["name"] = c.Name,
                    ["userInfo"] = AdmissionPolicyEvaluator.UserInfo(c.User, c.TokenNode),
                    ["oldObject"] = Pod(c.PodNode, c.OldConditions, c.OldPhase),
                    ["object"] = Pod(c.PodNode, c.NewConditions, c.NewPhase),
                });
            }

            ByName = await AdmissionPolicyEvaluator.EvaluateAsync(chart.Find("ValidatingAdmissionPolicy", "rel-platform-node-agent-pod-status")!, requests)
                .WaitAsync(TimeSpan.FromSeconds(120));
        }

        public Task DisposeAsync() => Task.CompletedTask;

        private static JsonObject Pod(string? node, string conditions, string phase)
        {
            var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "ray-worker", ["image"] = "rayproject/ray" }) };
            if (node is not null)
            {
                spec["nodeName"] = node;
            }

            var status = new JsonObject { ["phase"] = phase, ["podIP"] = "10.0.0.7" };
            if (JsonNode.Parse(conditions) is { } parsed)
            {
                status["conditions"] = parsed;
            }

            return new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = "worker-1", ["namespace"] = "ml", ["labels"] = new JsonObject { ["ray.io/node-type"] = "worker" } },
                ["spec"] = spec,
                ["status"] = status,
            };
        }
    }
}
