using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary>
/// The rendered ResourceSlice ValidatingAdmissionPolicy, evaluated by an independent CEL implementation
/// (tests/tools/helm/vap-eval.mjs) against the writes the DRA driver makes and the ones a compromised agent could try:
/// its own node's slices vs another node's, its driver vs another, creates, updates that move a slice, deletes.
/// </summary>
public sealed class SlicePolicyTests : IClassFixture<SlicePolicyTests.Verdicts>
{
    private const string Agent = "system:serviceaccount:ray-system:rel-platform-node-agent";
    private const string Driver = "gpu.raygpu.io";

    private readonly IReadOnlyDictionary<string, JsonObject> _verdicts;

    public SlicePolicyTests(Verdicts verdicts) => _verdicts = verdicts.ByName;

    /// <summary>A ResourceSlice as the driver writes it (null node: an allNodes slice).</summary>
    private static JsonObject Slice(string? node, string driver = Driver, string? pool = null)
    {
        var spec = new JsonObject { ["driver"] = driver, ["pool"] = new JsonObject { ["name"] = pool ?? node ?? "all", ["generation"] = 3, ["resourceSliceCount"] = 1 } };
        if (node is null)
        {
            spec["allNodes"] = true;
        }
        else
        {
            spec["nodeName"] = node;
        }

        spec["devices"] = new JsonArray(new JsonObject { ["name"] = "gpu-0" });
        return new JsonObject { ["apiVersion"] = "resource.k8s.io/v1", ["kind"] = "ResourceSlice", ["metadata"] = new JsonObject { ["name"] = $"{node ?? "all"}-{driver}-x" }, ["spec"] = spec };
    }

    /// <summary>name, operation, user, node its token names (null: none), slice before (null on CREATE), slice after (null on DELETE).</summary>
    private static readonly (string Name, string Operation, string User, string? TokenNode, JsonObject? Old, JsonObject? New)[] Cases =
    [
        ("own node, create", "CREATE", Agent, "gpu-1", null, Slice("gpu-1")),
        ("own node, update", "UPDATE", Agent, "gpu-1", Slice("gpu-1"), Slice("gpu-1")),
        ("own node, delete", "DELETE", Agent, "gpu-1", Slice("gpu-1"), null),
        ("other node, create", "CREATE", Agent, "gpu-1", null, Slice("gpu-2")),
        ("other node, update", "UPDATE", Agent, "gpu-1", Slice("gpu-2"), Slice("gpu-2")),
        ("other node's slice moved to own node", "UPDATE", Agent, "gpu-1", Slice("gpu-2"), Slice("gpu-1")),
        ("own slice moved to other node", "UPDATE", Agent, "gpu-1", Slice("gpu-1"), Slice("gpu-2")),
        ("other node, delete", "DELETE", Agent, "gpu-1", Slice("gpu-2"), null),
        ("own node, other driver", "CREATE", Agent, "gpu-1", null, Slice("gpu-1", driver: "gpu.nvidia.com")),
        ("own node, other pool", "CREATE", Agent, "gpu-1", null, Slice("gpu-1", pool: "gpu-2")),
        ("own node, other pool, update", "UPDATE", Agent, "gpu-1", Slice("gpu-1", pool: "gpu-2"), Slice("gpu-1", pool: "gpu-2")),
        ("own node, stale pool, delete", "DELETE", Agent, "gpu-1", Slice("gpu-1", pool: "gpu-2"), null),
        ("all-nodes slice", "CREATE", Agent, "gpu-1", null, Slice(null)),
        ("token without a node", "CREATE", Agent, null, null, Slice("gpu-1")),
        ("scheduler or administrator", "DELETE", "admin", null, Slice("gpu-2"), null),
        ("another driver's service account", "CREATE", "system:serviceaccount:nvidia:dra-driver", "gpu-1", null, Slice("gpu-2", driver: "gpu.nvidia.com")),
    ];

    [Theory]
    [InlineData("own node, create")]
    [InlineData("own node, update")]
    [InlineData("own node, delete")]
    [InlineData("own node, stale pool, delete")]
    public void AgentWrite_OfItsOwnNodesSlices_IsAllowed(string name)
    {
        var verdict = _verdicts[name];

        Assert.True((bool)verdict["matched"]!, name);
        Assert.True((bool)verdict["allowed"]!, verdict.ToJsonString());
    }

    [Theory]
    [InlineData("other node, create", "the node agent on gpu-1 may write only ResourceSlices whose spec.nodeName is gpu-1")]
    [InlineData("other node, update", "spec.nodeName is gpu-1")]
    [InlineData("other node's slice moved to own node", "spec.nodeName is gpu-1")]
    [InlineData("own slice moved to other node", "spec.nodeName is gpu-1")]
    [InlineData("other node, delete", "spec.nodeName is gpu-1")]
    [InlineData("own node, other driver", "only ResourceSlices of its driver gpu.raygpu.io")]
    [InlineData("own node, other pool", "one pool named after its node")]
    [InlineData("own node, other pool, update", "one pool named after its node")]
    [InlineData("all-nodes slice", "spec.nodeName is gpu-1")]
    [InlineData("token without a node", "its token names no Node")]
    public void AgentWrite_BeyondItsOwnNodesSlices_IsRefused(string name, string message)
    {
        var verdict = _verdicts[name];

        Assert.True((bool)verdict["matched"]!, name);
        Assert.False((bool)verdict["allowed"]!, verdict.ToJsonString());
        Assert.Contains(verdict["messages"]!.AsArray(), m => ((string)m!).Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("scheduler or administrator")]
    [InlineData("another driver's service account")]
    public void OtherUsers_AreNotThePolicysBusiness(string name)
    {
        var verdict = _verdicts[name];

        Assert.False((bool)verdict["matched"]!, verdict.ToJsonString());
        Assert.True((bool)verdict["allowed"]!);
    }

    [Fact]
    public void EveryCase_HasAVerdict() => Assert.Equal(Cases.Select(c => c.Name).Order(StringComparer.Ordinal), _verdicts.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public async Task Policy_RendersOnlyWhereServedOrForced_AndOnlyWithTheDraMode()
    {
        const string api = "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
        static async Task<int> Policies(params string[] args) =>
            (await RenderedChart.RenderAsync(args).WaitAsync(TimeSpan.FromSeconds(90))).All("ValidatingAdmissionPolicy")
                .Count(p => ((string)p["metadata"]!["name"]!).EndsWith("-resource-slices", StringComparison.Ordinal));

        Assert.Equal(0, await Policies("--set", "nodeAgent.mode=dra"));
        Assert.Equal(1, await Policies("--set", "nodeAgent.mode=dra", "--api-versions", api));
        Assert.Equal(1, await Policies("--set", "nodeAgent.mode=dra,nodeAgent.dra.slicePolicy.enabled=true"));
        Assert.Equal(0, await Policies("--set", "nodeAgent.mode=dra,nodeAgent.dra.slicePolicy.enabled=false", "--api-versions", api));
        Assert.Equal(0, await Policies("--set", "nodeAgent.dra.slicePolicy.enabled=true"));
    }

    /// <summary>Renders the policy once (DRA mode, policy forced on) and evaluates every case in one node process.</summary>
    public sealed class Verdicts : IAsyncLifetime
    {
        internal IReadOnlyDictionary<string, JsonObject> ByName { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var chart = await RenderedChart.RenderAsync("--set", "nodeAgent.mode=dra,nodeAgent.dra.slicePolicy.enabled=true").WaitAsync(TimeSpan.FromSeconds(90));
            var policy = chart.All("ValidatingAdmissionPolicy").Single(p => ((string)p["metadata"]!["name"]!).EndsWith("-resource-slices", StringComparison.Ordinal));
            var binding = chart.All("ValidatingAdmissionPolicyBinding").Single(b => (string?)b["spec"]!["policyName"] == (string?)policy["metadata"]!["name"]);
            Assert.Equal("""["Deny"]""", binding["spec"]!["validationActions"]!.ToJsonString());

            var requests = new JsonArray();
            foreach (var (name, operation, user, tokenNode, old, @new) in Cases)
            {
                var userInfo = new JsonObject { ["username"] = user, ["groups"] = new JsonArray("system:authenticated") };
                if (tokenNode is not null)
                {
                    userInfo["extra"] = new JsonObject { ["authentication.kubernetes.io/node-name"] = new JsonArray(tokenNode) };
                }

                requests.Add(new JsonObject
                {
                    ["name"] = name,
                    ["operation"] = operation,
                    ["userInfo"] = userInfo,
                    ["oldObject"] = old?.DeepClone(),
                    ["object"] = @new?.DeepClone(),
                });
            }

            ByName = await AdmissionPolicyEvaluator.EvaluateAsync(policy, requests);
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}
