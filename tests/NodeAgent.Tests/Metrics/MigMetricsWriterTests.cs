using System.Text;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Metrics;

public class MigMetricsWriterTests
{
    [Fact]
    public void Write_MigInstances_DcgmLabelsAndPodAttribution_MatchesGolden()
    {
        var discovery = TestMig.Discovery("1g.10gb,3g.40gb");
        var parent = discovery.Devices[0];
        var small = discovery.MigDevices[0];
        var large = discovery.MigDevices[1];
        var parentSample = new GpuSample(60, 20, 12000, 68000, 560, 45, 210.5, 987654321, 1410, 1593);
        var snapshot = new GpuSnapshot(DateTimeOffset.UnixEpoch, [new GpuReading(parent, parentSample)])
        {
            MigReadings =
            [
                new MigReading(parent, small, GpuSample.None with { FbUsedMiB = 2048, FbFreeMiB = 8192 }),
                new MigReading(parent, large, null),
            ],
        };
        var attribution = new Dictionary<string, IReadOnlyList<PodRef>>
        {
            [small.Uuid] = [new PodRef("ml", "rc-small-worker-x1", "ray-worker", "rc", "small")],
        };
        var view = new MetricsView(
            "node-1",
            discovery,
            snapshot,
            [(parent, GpuHealthState.Healthy, "")],
            new Dictionary<string, ulong>(),
            attribution,
            new AgentMetrics())
        {
            Resources = [("nvidia.com/gpu", 0, 0), ("nvidia.com/mig-1g.10gb", 1, 1), ("nvidia.com/mig-3g.40gb", 1, 1)],
        };

        var text = new StringBuilder();
        MetricsWriter.Write(text, view);

        // The instance's own series carry its pod; an instance without a sample writes none (whether or not the
        // golden file is being regenerated).
        var page = text.ToString();
        Assert.Contains("GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"1\",Hostname=\"node-1\",container=\"ray-worker\",namespace=\"ml\",pod=\"rc-small-worker-x1\",ray_cluster=\"rc\",ray_group=\"small\"} 2048\n", page, StringComparison.Ordinal);
        Assert.DoesNotContain("GPU_I_PROFILE=\"3g.40gb\"", page, StringComparison.Ordinal);
        Golden.AssertMatches("metrics-mig.txt", page);
    }
}
