namespace Platform.DevicePlugin.Inventory;

/// <summary>
/// How two GPUs reach each other, best first. Mirrors NVML's topology levels
/// (nvmlDeviceGetTopologyCommonAncestor) plus NVLink, so the agent can map them one to one.
/// </summary>
public enum GpuInterconnect
{
    /// <summary>Direct NVLink (or NVSwitch) connection.</summary>
    NvLink = 0,

    /// <summary>Same board (NVML_TOPOLOGY_INTERNAL, e.g. dual-GPU cards).</summary>
    SameBoard = 1,

    /// <summary>Behind one PCIe switch (NVML_TOPOLOGY_SINGLE, nvidia-smi "PIX").</summary>
    SinglePcieSwitch = 2,

    /// <summary>Behind several PCIe switches without crossing the host bridge (NVML_TOPOLOGY_MULTIPLE, "PXB").</summary>
    MultiplePcieSwitches = 3,

    /// <summary>Through one PCIe host bridge (NVML_TOPOLOGY_HOSTBRIDGE, "PHB").</summary>
    HostBridge = 4,

    /// <summary>Same NUMA node, across host bridges (NVML_TOPOLOGY_NODE, "NODE").</summary>
    SameNumaNode = 5,

    /// <summary>Across NUMA nodes / SMP interconnect (NVML_TOPOLOGY_SYSTEM, "SYS").</summary>
    CrossNuma = 6,
}
