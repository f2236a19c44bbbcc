using Platform.DevicePlugin.Inventory;
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
    [InlineData((int)GpuInterconnect.NvLink)]
    [InlineData((int)GpuInterconnect.SameBoard)]
    [InlineData((int)GpuInterconnect.SinglePcieSwitch)]
    [InlineData((int)GpuInterconnect.MultiplePcieSwitches)]
    [InlineData((int)GpuInterconnect.HostBridge)]
    [InlineData((int)GpuInterconnect.SameNumaNode)]
    [InlineData((int)GpuInterconnect.CrossNuma)]
    public void ToPluginLink_KeepsEveryLevel(int level)
    {
        var discovery = TestGpus.Discovery(2);

        var link = InventoryMapper.ToPluginLink(new NodeAgent.Gpu.GpuLink(0, 1, (GpuInterconnect)level, 0), discovery);

        Assert.Equal((GpuInterconnect)level, link!.Interconnect);
    }

    [Fact]
    public void ToPluginLink_UsesUuidsAndKeepsNvLinkCount()
    {
        var discovery = TestGpus.Discovery(2);

        var link = InventoryMapper.ToPluginLink(new NodeAgent.Gpu.GpuLink(0, 1, GpuInterconnect.NvLink, 12), discovery);

        Assert.Equal(new Platform.DevicePlugin.Inventory.GpuLink(discovery.Devices[0].Uuid, discovery.Devices[1].Uuid, GpuInterconnect.NvLink, 12), link);
        Assert.Null(InventoryMapper.ToPluginLink(new NodeAgent.Gpu.GpuLink(0, 5, GpuInterconnect.CrossNuma, 0), discovery));
    }

    [Fact]
    public void ToDeviceHealth_Maps()
    {
        Assert.Equal(DeviceHealth.Healthy, InventoryMapper.ToDeviceHealth(GpuHealthState.Healthy));
        Assert.Equal(DeviceHealth.Unhealthy, InventoryMapper.ToDeviceHealth(GpuHealthState.Unhealthy));
    }
}
