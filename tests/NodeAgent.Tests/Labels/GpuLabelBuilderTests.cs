using System.Text;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Labels;

public class GpuLabelBuilderTests
{
    private static readonly DateTimeOffset Started = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);

    [Theory]
    [InlineData("NVIDIA A10G", "NVIDIA-A10G")]
    [InlineData("NVIDIA H100 80GB HBM3", "NVIDIA-H100-80GB-HBM3")]
    [InlineData("NVIDIA A100-SXM4-40GB", "NVIDIA-A100-SXM4-40GB")]
    [InlineData("Tesla T4", "Tesla-T4")]
    [InlineData("NVIDIA GeForce RTX 4090 (ES)", "NVIDIA-GeForce-RTX-4090-ES")]
    [InlineData(" NVIDIA L4 ", "NVIDIA-L4")]
    public void SanitizeProduct_MatchesGfd(string name, string expected) =>
        Assert.Equal(expected, GpuLabelBuilder.SanitizeProduct(name));

    [Fact]
    public void SanitizeProduct_LongName_CappedAt63AndEndsAlphanumeric()
    {
        var value = GpuLabelBuilder.SanitizeProduct(new string('A', 62) + " B");
        Assert.Equal(62, value.Length);
        Assert.True(char.IsAsciiLetterOrDigit(value[^1]));
    }

    [Theory]
    [InlineData(3, 7, "kepler")]
    [InlineData(5, 2, "maxwell")]
    [InlineData(6, 1, "pascal")]
    [InlineData(7, 0, "volta")]
    [InlineData(7, 2, "volta")]
    [InlineData(7, 5, "turing")]
    [InlineData(8, 0, "ampere")]
    [InlineData(8, 6, "ampere")]
    [InlineData(8, 7, "ampere")]
    [InlineData(8, 9, "ada-lovelace")]
    [InlineData(9, 0, "hopper")]
    [InlineData(10, 0, "blackwell")]
    [InlineData(12, 0, "blackwell")]
    [InlineData(11, 0, "undefined")]
    public void Family_FromComputeCapability(int major, int minor, string family) =>
        Assert.Equal(family, GpuLabelBuilder.Family(new ComputeCapability(major, minor)));

    [Fact]
    public void Build_FourH100s_TimeSliced_MatchesGolden()
    {
        var discovery = TestGpus.Discovery(4, "NVIDIA H100 80GB HBM3", 81559, 9, 0);

        var labels = GpuLabelBuilder.Build(discovery, new GpuSharing(4, "time-slicing"), Started);

        var text = new StringBuilder();
        foreach (var (key, value) in labels)
        {
            text.Append(key).Append('=').Append(value).Append('\n');
        }

        Golden.AssertMatches("labels-h100x4-timesliced.txt", text.ToString());
        Assert.All(labels.Keys, k => Assert.Contains(k, GpuLabels.Owned));
    }

    [Fact]
    public void Build_NoGpus_NoLabels() =>
        Assert.Empty(GpuLabelBuilder.Build(GpuDiscovery.Empty("nvml"), GpuSharing.None, Started));

    [Fact]
    public void Build_MigCapableGpu_SaysSo()
    {
        var discovery = TestGpus.Discovery(1) with { Devices = [TestGpus.Device(0) with { MigCapable = true }] };
        Assert.Equal("true", GpuLabelBuilder.Build(discovery, GpuSharing.None, Started)[GpuLabels.MigCapable]);
    }

    [Theory]
    [InlineData("simulated", true)]
    [InlineData("nvml", false)]
    [InlineData("cuda", false)]
    public void Build_SimulatedDriver_MarksTheNode(string source, bool marked)
    {
        var discovery = TestGpus.Discovery(1) with { Source = source };

        var labels = GpuLabelBuilder.Build(discovery, GpuSharing.None, Started);

        Assert.Equal(marked, labels.TryGetValue(GpuLabels.Simulated, out var value) && value == "true");
        Assert.Contains(GpuLabels.Simulated, GpuLabels.Owned);
    }
}
