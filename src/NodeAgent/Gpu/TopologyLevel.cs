using Platform.DevicePlugin.Inventory;
namespace Platform.NodeAgent.Gpu;

/// <summary>Maps <c>nvmlGpuTopologyLevel_t</c> (0, 10, 20, 30, 40, 50) onto <see cref="GpuInterconnect"/>.</summary>
internal static class TopologyLevel
{
    public static GpuInterconnect FromNvml(int level) => level switch
    {
        0 => GpuInterconnect.SameBoard,
        10 => GpuInterconnect.SinglePcieSwitch,
        20 => GpuInterconnect.MultiplePcieSwitches,
        30 => GpuInterconnect.HostBridge,
        40 => GpuInterconnect.SameNumaNode,
        _ => GpuInterconnect.CrossNuma,
    };

    /// <summary>The short names <c>nvidia-smi topo -m</c> prints.</summary>
    public static string ShortName(GpuInterconnect level, int nvlinks) => level switch
    {
        GpuInterconnect.NvLink => $"NV{nvlinks}",
        GpuInterconnect.SameBoard => "BOARD",
        GpuInterconnect.SinglePcieSwitch => "PIX",
        GpuInterconnect.MultiplePcieSwitches => "PXB",
        GpuInterconnect.HostBridge => "PHB",
        GpuInterconnect.SameNumaNode => "NODE",
        _ => "SYS",
    };
}
