using System.Text;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Metrics;

public class MetricsWriterTests
{
    private static GpuSample Sample(uint util) => new(util, util / 2, 1000 + util, 21500 - util, 528, 40 + util / 10, 70.5 + util, 123456789, 1410, 6251);

    private static MetricsView View(AgentMetrics? agent = null)
    {
        var discovery = TestGpus.Discovery(2);
        var snapshot = new GpuSnapshot(DateTimeOffset.UnixEpoch, [new GpuReading(discovery.Devices[0], Sample(42)), new GpuReading(discovery.Devices[1], Sample(7))]);
        var attribution = new Dictionary<string, IReadOnlyList<PodRef>>
        {
            [discovery.Devices[1].Uuid] =
            [
                new PodRef("ml", "raycluster-a-gpu-worker-x1", "ray-worker", "raycluster-a", "gpu"),
                new PodRef("ml", "raycluster-b-gpu-worker-y2", "ray-worker", "raycluster-b", "gpu-group"),
            ],
        };
        agent ??= new AgentMetrics();
        return new MetricsView(
            "node-1",
            discovery,
            snapshot,
            [(discovery.Devices[0], GpuHealthState.Healthy, ""), (discovery.Devices[1], GpuHealthState.Unhealthy, "xid-79")],
            new Dictionary<string, ulong> { [discovery.Devices[1].Uuid] = 79 },
            attribution,
            agent);
    }

    [Fact]
    public void Write_TwoGpus_OneTimeSliced_MatchesGolden()
    {
        var agent = new AgentMetrics();
        agent.CountRegistration();
        agent.CountNvmlError();
        agent.CountHealthTransition("xid-79", "unhealthy");
        agent.ObserveAllocation(TimeSpan.FromMilliseconds(0.3), succeeded: true);
        agent.ObserveAllocation(TimeSpan.FromMilliseconds(3), succeeded: true);
        agent.ObserveAllocation(TimeSpan.FromMilliseconds(30), succeeded: false);
        agent.SetRegistered("nvidia.com/gpu", true);
        agent.SetRegistered("nvidia.com/gpu.shared", false);
        agent.SetAdvertised("nvidia.com/gpu", new Advertisement(1, 1, 0));
        agent.SetAdvertised("nvidia.com/gpu.shared", new Advertisement(1, 0, 4));

        var text = new StringBuilder();
        MetricsWriter.Write(text, View(agent));

        Golden.AssertMatches("metrics-2gpu.txt", text.ToString());
    }

    [Fact]
    public void Write_UnsupportedField_LeavesTheSeriesOut()
    {
        var view = View();
        var reading = view.Snapshot.Readings[0] with { Sample = GpuSample.None with { GpuUtilPercent = 5 } };
        view = view with { Snapshot = new GpuSnapshot(DateTimeOffset.UnixEpoch, [reading]), Attribution = new Dictionary<string, IReadOnlyList<PodRef>>() };

        var text = new StringBuilder();
        MetricsWriter.Write(text, view);
        var output = text.ToString();

        Assert.Contains("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("DCGM_FI_DEV_POWER_USAGE{", output, StringComparison.Ordinal);
        Assert.Contains("# TYPE DCGM_FI_DEV_POWER_USAGE gauge", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("a\nb", "a\\nb")]
    public void Escape_LabelValues(string value, string expected) => Assert.Equal(expected, MetricsWriter.Escape(value));

    [Fact]
    public void Write_EveryLine_IsValidExposition()
    {
        var text = new StringBuilder();
        MetricsWriter.Write(text, View());

        foreach (var line in text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Matches(@"^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*\})? -?[0-9.e+]+)$", line);
        }
    }
}
