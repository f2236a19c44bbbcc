using System.Text.Json.Nodes;
using Platform.NodeAgent.Diagnostics;

namespace Platform.NodeAgent.Tests.Diagnostics;

public class ReadinessWriterTests
{
    [Fact]
    public void Render_DegradedOptionalCheck_StillReady()
    {
        var (ready, json) = ReadinessWriter.Render(
        [
            new ReadinessCheck("gpu", true, true, "nvml: 8 GPUs"),
            new ReadinessCheck("kubernetes", false, false, "no KUBECONFIG"),
        ]);

        var body = JsonNode.Parse(json)!;
        Assert.True(ready);
        Assert.Equal("ready", (string?)body["status"]);
        Assert.Equal("degraded", (string?)body["checks"]![1]!["status"]);
        Assert.Equal("no KUBECONFIG", (string?)body["checks"]![1]!["detail"]);
    }

    [Fact]
    public void Render_FailingRequiredCheck_NotReadyWithReason()
    {
        var (ready, json) = ReadinessWriter.Render([new ReadinessCheck("gpu", false, true, "no GPU driver: libnvidia-ml.so.1 was not found")]);

        Assert.False(ready);
        Assert.Equal("failing", (string?)JsonNode.Parse(json)!["checks"]![0]!["status"]);
        Assert.Contains("libnvidia-ml.so.1", json, StringComparison.Ordinal);
    }
}
