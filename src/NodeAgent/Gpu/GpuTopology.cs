namespace Platform.NodeAgent.Gpu;

/// <summary>
/// How two GPUs are connected, best first. Mirrors <c>nvmlGpuTopologyLevel_t</c> plus NVLink, which
/// NVML reports separately (per-link remote PCI info).
/// </summary>
internal enum GpuLinkLevel
{
    NvLink = 0,
    Internal = 1,
    SingleSwitch = 2,
    MultipleSwitch = 3,
    HostBridge = 4,
    NumaNode = 5,
    System = 6,
}

/// <summary>The connection between GPU IndexA and IndexB (A &lt; B); NvLinks counts active links, 0 unless Level is NvLink.</summary>
internal sealed record GpuLink(int IndexA, int IndexB, GpuLinkLevel Level, int NvLinks);
