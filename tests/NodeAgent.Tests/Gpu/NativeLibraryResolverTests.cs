using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Native;
using Platform.NodeAgent.Startup;

namespace Platform.NodeAgent.Tests.Gpu;

public class NativeLibraryResolverTests
{
    [Fact]
    public void CandidatePaths_StartUnderTheDriverRoot()
    {
        var paths = NativeLibraryResolver.CandidatePaths("/host", NvmlNative.Library);
        Assert.Equal("/host/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", paths[0]);
        Assert.Contains("/usr/local/nvidia/lib64/libnvidia-ml.so.1", paths);
    }

    [Fact]
    public void TryLoad_MissingLibrary_ReturnsFalseWithEveryPathTried()
    {
        var root = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        Assert.False(NativeLibraryResolver.TryLoad(root, "libdoes-not-exist.so.1", out var failure));
        Assert.Contains(root, failure, StringComparison.Ordinal);
        Assert.Contains("Gpu:DriverRoot", failure, StringComparison.Ordinal);
    }

    [NoGpuFact]
    public void GpuRuntime_NoDriverAndNotRequired_RunsEmptyWithReason()
    {
        var options = Options.Create(new GpuOptions { Driver = "nvml", DriverRoot = Path.GetTempPath() });

        using var runtime = new GpuRuntime(options, TimeProvider.System, NullLogger<GpuRuntime>.Instance);

        Assert.Null(runtime.Driver);
        Assert.Empty(runtime.Discovery.Devices);
        Assert.Contains("libnvidia-ml.so.1", runtime.InitError, StringComparison.Ordinal);
    }

    [NoGpuFact]
    public void GpuRuntime_NoDriverAndFailOnInitError_Throws()
    {
        var options = Options.Create(new GpuOptions { Driver = "auto", DriverRoot = Path.GetTempPath(), FailOnInitError = true });

        var error = Assert.Throws<AgentConfigurationException>(() => new GpuRuntime(options, TimeProvider.System, NullLogger<GpuRuntime>.Instance));
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("No GPU driver could be opened and Gpu:FailOnInitError is true; set it to false to start without GPUs. The driver said: NVML: ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void GpuRuntime_SimulatedWithFailOnInitError_OpensTheSimulator()
    {
        var options = Options.Create(new GpuOptions { Driver = "simulated", DriverRoot = Path.GetTempPath(), FailOnInitError = true });

        using var runtime = new GpuRuntime(options, TimeProvider.System, NullLogger<GpuRuntime>.Instance);

        Assert.NotNull(runtime.Simulator);
        Assert.Null(runtime.InitError);
        Assert.Equal(2, runtime.Discovery.Devices.Count);
    }
}
