using System.Text;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Mig;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Labels;

public class MigLabelBuilderTests
{
    private static readonly DateTimeOffset Started = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);

    private static SortedDictionary<string, string> Labels(GpuDiscovery discovery, MigStrategy strategy)
    {
        var labels = GpuLabelBuilder.Build(discovery, GpuSharing.None, Started);
        MigLabelBuilder.Add(labels, discovery, MigPlanner.Plan(discovery, strategy));
        return labels;
    }

    private static string Text(SortedDictionary<string, string> labels)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in labels)
        {
            text.Append(key).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    [Fact]
    public void Single_TwoA100sWith1g10gb_MatchesGolden()
    {
        var labels = Labels(TestMig.Discovery("1g.10gb,1g.10gb,1g.10gb", "1g.10gb,1g.10gb,1g.10gb"), MigStrategy.Single);

        Golden.AssertMatches("labels-mig-single.txt", Text(labels));
        Assert.All(labels.Keys, k => Assert.True(GpuLabels.IsOwned(k), k));
    }

    [Fact]
    public void Mixed_ProfilesAndAWholeGpu_MatchesGolden()
    {
        var labels = Labels(TestMig.Discovery("1g.10gb,1g.10gb,1g.10gb+me,3g.40gb", null), MigStrategy.Mixed);

        Golden.AssertMatches("labels-mig-mixed.txt", Text(labels));
        Assert.All(labels.Keys, k => Assert.True(GpuLabels.IsOwned(k), k));
    }

    [Fact]
    public void Single_InconsistentLayout_OnlyTheStrategyAndTheWholeGpuLabels()
    {
        var discovery = TestMig.Discovery("1g.10gb", "3g.40gb");

        var labels = Labels(discovery, MigStrategy.Single);

        Assert.Equal("single", labels[GpuLabels.MigStrategy]);
        Assert.Equal("NVIDIA-A100-SXM4-80GB", labels[GpuLabels.Product]);
        Assert.Equal("2", labels[GpuLabels.Count]);
        Assert.DoesNotContain(labels.Keys, k => k.StartsWith("nvidia.com/mig-", StringComparison.Ordinal) || k.Contains("slices", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("mixed")]
    public void MigDisabled_StrategyLabelAndTruthfulCapability(string strategy)
    {
        Assert.True(MigStrategies.TryParse(strategy, out var parsed));
        var labels = Labels(TestGpus.Discovery(2), parsed);

        Assert.Equal(strategy, labels[GpuLabels.MigStrategy]);
        Assert.Equal("false", labels[GpuLabels.MigCapable]);
        Assert.DoesNotContain(GpuLabels.Multiprocessors, labels.Keys);
    }

    [Fact]
    public void NoGpus_NoLabels() =>
        Assert.Empty(Labels(GpuDiscovery.Empty("nvml"), MigStrategy.Mixed));

    [Fact]
    public void LayoutChange_StaleProfileKeysAreRemoved()
    {
        var before = Labels(TestMig.Discovery("1g.10gb,3g.40gb"), MigStrategy.Mixed);
        var after = Labels(TestMig.Discovery("7g.80gb"), MigStrategy.Mixed);

        var patch = NodeLabelDiff.Compute(before, after, GpuLabels.IsOwned);

        Assert.Null(patch["nvidia.com/mig-1g.10gb.count"]);
        Assert.Null(patch["nvidia.com/mig-3g.40gb.engines.copy"]);
        Assert.Equal("1", patch["nvidia.com/mig-7g.80gb.count"]);
        Assert.False(patch.ContainsKey("example.com/other"));
    }
}
