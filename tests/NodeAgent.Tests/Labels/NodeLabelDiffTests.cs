using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Tests.Labels;

public class NodeLabelDiffTests
{
    private static readonly Dictionary<string, string> Desired = new()
    {
        [GpuLabels.Present] = "true",
        [GpuLabels.Count] = "8",
        [GpuLabels.Timestamp] = "200",
    };

    [Fact]
    public void Compute_NodeAlreadyLabelled_NothingToPatch()
    {
        var current = new Dictionary<string, string>(Desired) { ["kubernetes.io/hostname"] = "n1" };
        Assert.Empty(NodeLabelDiff.Compute(current, Desired, GpuLabels.Owned));
    }

    [Fact]
    public void Compute_ChangedMissingAndStale_SetsAndRemovesOnlyOwnedKeys()
    {
        var current = new Dictionary<string, string>
        {
            [GpuLabels.Present] = "true",
            [GpuLabels.Count] = "4",
            [GpuLabels.Product] = "NVIDIA-A10G",
            ["team"] = "ml",
        };

        var patch = NodeLabelDiff.Compute(current, Desired, GpuLabels.Owned);

        Assert.Equal(3, patch.Count);
        Assert.Equal("8", patch[GpuLabels.Count]);
        Assert.Equal("200", patch[GpuLabels.Timestamp]);
        Assert.Null(patch[GpuLabels.Product]);
        Assert.False(patch.ContainsKey("team"));
    }

    [Fact]
    public void Compute_OnlyTimestampDiffers_IgnoredWhenVolatile()
    {
        var current = new Dictionary<string, string>(Desired) { [GpuLabels.Timestamp] = "100" };
        Assert.Empty(NodeLabelDiff.Compute(current, Desired, GpuLabels.Owned, new HashSet<string> { GpuLabels.Timestamp }));
    }
}
