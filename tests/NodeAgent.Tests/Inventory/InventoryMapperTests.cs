using Platform.DevicePlugin.Inventory;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Inventory;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Inventory;

public class InventoryMapperTests
{
    [Fact]
    public void ToPluginDevice_CarriesIdentityTopologyAndDeviceNode()
    {
        var device = TestGpus.Device(3) with { MinorNumber = 7, NumaNode = 1 };

        var mapped = InventoryMapper.ToPluginDevice(device);

        Assert.Equal((device.Uuid, 3, 1, "NVIDIA A10G", device.PciBusId), (mapped.Uuid, mapped.Index, mapped.NumaNode, mapped.ProductName, mapped.PciBusId));
        Assert.Equal(["/dev/nvidia7"], mapped.DeviceNodes);
    }

    [Theory]
    [InlineData((int)GpuLinkLevel.NvLink, (int)GpuInterconnect.NvLink)]
    [InlineData((int)GpuLinkLevel.Internal, (int)GpuInterconnect.SameBoard)]
    [InlineData((int)GpuLinkLevel.SingleSwitch, (int)GpuInterconnect.SinglePcieSwitch)]
    [InlineData((int)GpuLinkLevel.MultipleSwitch, (int)GpuInterconnect.MultiplePcieSwitches)]
    [InlineData((int)GpuLinkLevel.HostBridge, (int)GpuInterconnect.HostBridge)]
    [InlineData((int)GpuLinkLevel.NumaNode, (int)GpuInterconnect.SameNumaNode)]
    [InlineData((int)GpuLinkLevel.System, (int)GpuInterconnect.CrossNuma)]
    public void ToInterconnect_MapsEveryLevel(int level, int interconnect) =>
        Assert.Equal((GpuInterconnect)interconnect, InventoryMapper.ToInterconnect((GpuLinkLevel)level));

    [Fact]
    public void ToPluginLink_UsesUuidsAndKeepsNvLinkCount()
    {
        var discovery = TestGpus.Discovery(2);

        var link = InventoryMapper.ToPluginLink(new NodeAgent.Gpu.GpuLink(0, 1, GpuLinkLevel.NvLink, 12), discovery);

        Assert.Equal(new Platform.DevicePlugin.Inventory.GpuLink(discovery.Devices[0].Uuid, discovery.Devices[1].Uuid, GpuInterconnect.NvLink, 12), link);
        Assert.Null(InventoryMapper.ToPluginLink(new NodeAgent.Gpu.GpuLink(0, 5, GpuLinkLevel.System, 0), discovery));
    }

    [Fact]
    public void ToDeviceHealth_Maps()
    {
        Assert.Equal(DeviceHealth.Healthy, InventoryMapper.ToDeviceHealth(GpuHealthState.Healthy));
        Assert.Equal(DeviceHealth.Unhealthy, InventoryMapper.ToDeviceHealth(GpuHealthState.Unhealthy));
    }
}
