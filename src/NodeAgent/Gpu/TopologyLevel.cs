namespace Platform.NodeAgent.Gpu;

/// <summary>Maps <c>nvmlGpuTopologyLevel_t</c> (0, 10, 20, 30, 40, 50) onto <see cref="GpuLinkLevel"/>.</summary>
internal static class TopologyLevel
{
    public static GpuLinkLevel FromNvml(int level) => level switch
    {
        0 => GpuLinkLevel.Internal,
        10 => GpuLinkLevel.SingleSwitch,
        20 => GpuLinkLevel.MultipleSwitch,
        30 => GpuLinkLevel.HostBridge,
        40 => GpuLinkLevel.NumaNode,
        _ => GpuLinkLevel.System,
    };

    /// <summary>The short names <c>nvidia-smi topo -m</c> prints.</summary>
    public static string ShortName(GpuLinkLevel level, int nvlinks) => level switch
    {
        GpuLinkLevel.NvLink => $"NV{nvlinks}",
        GpuLinkLevel.Internal => "BOARD",
        GpuLinkLevel.SingleSwitch => "PIX",
        GpuLinkLevel.MultipleSwitch => "PXB",
        GpuLinkLevel.HostBridge => "PHB",
        GpuLinkLevel.NumaNode => "NODE",
        _ => "SYS",
    };
}
