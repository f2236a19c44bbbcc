using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Tests.Gpu;

public class DiscoverCommandTests
{
    [Fact]
    public void Run_Simulated_PrintsNvidiaSmiCsv()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var options = new GpuOptions { Driver = "simulated", Simulated = new SimulatedGpuOptions { Count = 2, Product = "NVIDIA A10G", MemoryMiB = 23028 } };

        var code = DiscoverCommand.Run(options, output, error);

        Assert.Equal(0, code);
        Golden.AssertMatches("discover-simulated.csv", output.ToString());
    }

    [NoGpuFact]
    public void Run_NoDriverWithFailOnInitError_ExitsOneWithTheDriversReason()
    {
        var error = new StringWriter();
        var options = new GpuOptions { Driver = "nvml", DriverRoot = Path.GetTempPath(), FailOnInitError = true };

        var code = DiscoverCommand.Run(options, new StringWriter(), error);

        Assert.Equal(1, code);
        Assert.StartsWith("discover: libnvidia-ml.so.1 was not found", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidOptions_ExitsTwoWithTheKey()
    {
        var error = new StringWriter();
        var code = DiscoverCommand.Run(new GpuOptions { Driver = "bogus" }, new StringWriter(), error);

        Assert.Equal(2, code);
        Assert.Contains("Gpu:Driver", error.ToString(), StringComparison.Ordinal);
    }
}
