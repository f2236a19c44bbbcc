using System.Text.Json.Nodes;
using Platform.Sandbox.Kubernetes;

namespace Platform.Sandbox.Tests.Kubernetes;

public sealed class JsonMergeTests
{
    private static readonly Dictionary<string, string> ConditionKeys = new(StringComparer.Ordinal) { ["conditions"] = "type" };

    [Fact]
    public void StrategicMerge_Conditions_MergedByTypeOthersKept()
    {
        var status = Parse("""{"phase":"Running","conditions":[{"type":"Ready","status":"True"},{"type":"raygpu.io/GPUHealthy","status":"False","reason":"GpuFaultAnnotated"}]}""");

        JsonMerge.StrategicMerge(status, Parse("""{"$setElementOrder/conditions":[{"type":"raygpu.io/GPUHealthy"}],"conditions":[{"type":"raygpu.io/GPUHealthy","reason":"GpuFaultDraining"},{"type":"New","status":"True"}]}"""), ConditionKeys);

        Assert.Equal(
            """{"phase":"Running","conditions":[{"type":"Ready","status":"True"},{"type":"raygpu.io/GPUHealthy","status":"False","reason":"GpuFaultDraining"},{"type":"New","status":"True"}]}""",
            status.ToJsonString());
    }

    [Fact]
    public void StrategicMerge_ItemWithoutItsKey_IsRefused()
    {
        var status = Parse("""{"conditions":[]}""");

        Assert.Throws<FormatException>(() => JsonMerge.StrategicMerge(status, Parse("""{"conditions":[{"status":"True"}]}"""), ConditionKeys));
    }

    [Fact]
    public void Merge_ListsReplaceNullDeletesObjectsMerge()
    {
        var node = Parse("""{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"taints":[{"key":"x"}]}}""");

        JsonMerge.Merge(node, Parse("""{"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"taints":[{"key":"y"}]}}"""));

        Assert.Equal("""{"metadata":{"labels":{"b":"2","c":"3"}},"spec":{"taints":[{"key":"y"}]}}""", node.ToJsonString());
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
