using Platform.DevicePlugin.Allocation;
using Platform.DevicePlugin.Tests.TestSupport;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Allocation;

public sealed class AllocateResponseBuilderTests
{
    [Theory]
    [InlineData("uuid", "GPU-00000000-0000-0000-0000-000000000003,GPU-00000000-0000-0000-0000-000000000001")]
    [InlineData("index", "3,1")]
    public void Build_EnvVar_ListsGpusByStrategy(string strategy, string expected)
    {
        var builder = new AllocateResponseBuilder(Settings.From(o => o.DeviceIdStrategy = strategy), _ => false);

        var response = builder.Build([Gpu(3), Gpu(1)]);

        Assert.Equal(expected, response.Envs["NVIDIA_VISIBLE_DEVICES"]);
        Assert.Empty(response.Devices);
        Assert.Empty(response.CdiDevices);
    }

    [Fact]
    public void Build_DeviceSpecs_AddsGpuNodesAndOnlyControlNodesPresentOnHost()
    {
        var settings = Settings.From(o => { o.AllocateStrategies = "device-specs"; o.HostRoot = "/host"; });
        var present = new HashSet<string> { "/host/dev/nvidiactl", "/host/dev/nvidia-uvm" };
        var builder = new AllocateResponseBuilder(settings, present.Contains);

        var response = builder.Build([Gpu(0) with { DeviceNodes = ["/dev/nvidia7"] }, Gpu(2) with { DeviceNodes = [] }]);

        Assert.Equal(["/dev/nvidia7", "/dev/nvidia2", "/dev/nvidiactl", "/dev/nvidia-uvm"], response.Devices.Select(d => d.HostPath));
        Assert.All(response.Devices, d => Assert.Equal(d.HostPath, d.ContainerPath));
        Assert.All(response.Devices, d => Assert.Equal("rw", d.Permissions));
        Assert.Empty(response.Envs);
    }

    [Theory]
    [InlineData("uuid", "nvidia.com/gpu=GPU-00000000-0000-0000-0000-000000000001")]
    [InlineData("index", "nvidia.com/gpu=1")]
    public void Build_Cdi_NamesDevicesByKindAndId(string strategy, string expected)
    {
        var builder = new AllocateResponseBuilder(Settings.From(o => { o.AllocateStrategies = "cdi"; o.DeviceIdStrategy = strategy; }), _ => false);

        var response = builder.Build([Gpu(1)]);

        Assert.Equal(expected, response.CdiDevices.Single().Name);
    }

    [Fact]
    public void Build_Combined_WithExtraEnvironment()
    {
        var settings = Settings.From(o =>
        {
            o.AllocateStrategies = " envvar , cdi,device-specs ";
            o.VisibleDevicesEnvVar = "MY_GPUS";
            o.ExtraEnvironment["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID";
        });
        var builder = new AllocateResponseBuilder(settings, _ => true);

        var response = builder.Build([Gpu(0)]);

        Assert.Equal(Uuid(0), response.Envs["MY_GPUS"]);
        Assert.Equal("PCI_BUS_ID", response.Envs["CUDA_DEVICE_ORDER"]);
        Assert.Single(response.CdiDevices);
        Assert.Equal(5, response.Devices.Count);
    }
}
