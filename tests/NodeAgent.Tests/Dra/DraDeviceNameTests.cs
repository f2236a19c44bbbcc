using Platform.NodeAgent.Dra;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra;

public class DraDeviceNameTests
{
    [Theory]
    [InlineData(0, "gpu-0")]
    [InlineData(7, "gpu-7")]
    [InlineData(12, "gpu-12")]
    public void Of_UsesDiscoveryIndex_AndParsesBack(int index, string expected)
    {
        var name = DraDeviceName.Of(TestGpus.Device(index));

        Assert.Equal(expected, name);
        Assert.True(DraDeviceName.TryParse(name, out var parsed));
        Assert.Equal(index, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gpu-")]
    [InlineData("gpu")]
    [InlineData("GPU-1")]
    [InlineData("gpu-01")]
    [InlineData("gpu-+1")]
    [InlineData("gpu--1")]
    [InlineData("gpu-1 ")]
    [InlineData(" gpu-1")]
    [InlineData("gpu-1a")]
    [InlineData("gpu-٣")]
    [InlineData("gpu-99999999999")]
    [InlineData("mig-1")]
    public void TryParse_RejectsNonCanonicalNames(string? name)
    {
        Assert.False(DraDeviceName.TryParse(name, out var index));
        Assert.Equal(-1, index);
    }

    [Fact]
    public void TryParse_AcceptsLargestIndex()
    {
        Assert.True(DraDeviceName.TryParse($"gpu-{int.MaxValue}", out var index));
        Assert.Equal(int.MaxValue, index);
    }
}
