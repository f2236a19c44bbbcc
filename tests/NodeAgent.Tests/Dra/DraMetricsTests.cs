using System.Text;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra;

public class DraMetricsTests
{
    private static string Render(AgentMetrics agent)
    {
        var discovery = TestGpus.Discovery(1);
        var text = new StringBuilder();
        MetricsWriter.Write(text, new MetricsView("node-1", discovery, new GpuSnapshot(DateTimeOffset.UnixEpoch, []), [], new Dictionary<string, ulong>(), new Dictionary<string, IReadOnlyList<PodRef>>(), agent));
        return text.ToString();
    }

    [Fact]
    public void DevicePluginMode_HasNoDraSeries()
    {
        Assert.DoesNotContain("raygpu_dra_plugin_registered", Render(new AgentMetrics()), StringComparison.Ordinal);
    }

    [Fact]
    public void DraMode_ReportsRegistrationPerDriver_AndFollowsChanges()
    {
        var agent = new AgentMetrics();
        agent.SetDraRegistered("gpu.raygpu.io", true);
        var registered = Render(agent);
        var before = agent.Version;
        agent.SetDraRegistered("gpu.raygpu.io", false);

        Assert.Contains("# TYPE raygpu_dra_plugin_registered gauge\nraygpu_dra_plugin_registered{driver=\"gpu.raygpu.io\"} 1\n", registered, StringComparison.Ordinal);
        Assert.Contains("raygpu_dra_plugin_registered{driver=\"gpu.raygpu.io\"} 0\n", Render(agent), StringComparison.Ordinal);
        Assert.True(agent.Version > before);
    }
}
