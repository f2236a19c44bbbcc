using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Tests.Gpu;

public class GpuOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new GpuOptionsValidator(ClusterDetector.None).Validate(null, new GpuOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_ListsEveryErrorWithItsKey()
    {
        var options = new GpuOptions
        {
            Driver = "simulated",
            DriverRoot = "relative",
            Simulated = new SimulatedGpuOptions { Count = 65, Product = " ", MemoryMiB = 0, ComputeCapability = "eight", CudaVersion = "12", DriverVersion = "" },
        };

        var result = new GpuOptionsValidator(ClusterDetector.None).Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        foreach (var key in new[] { "Gpu:DriverRoot", "Gpu:Simulated:Count", "Gpu:Simulated:Product", "Gpu:Simulated:MemoryMiB", "Gpu:Simulated:ComputeCapability", "Gpu:Simulated:CudaVersion", "Gpu:Simulated:DriverVersion" })
        {
            Assert.Contains(failures, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_UnknownDriver_NamesTheChoices()
    {
        var result = new GpuOptionsValidator(ClusterDetector.None).Validate(null, new GpuOptions { Driver = "dcgm" });
        Assert.Contains("auto, nvml, cuda, simulated", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
