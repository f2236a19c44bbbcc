namespace Platform.NodeAgent.Gpu;

/// <summary>
/// One physical GPU as discovered through NVML, the CUDA driver API or the simulator. Index is NVML's
/// (the order <c>nvidia-smi</c> prints); Uuid (<c>GPU-xxxxxxxx-...</c>) is the device-plugin device ID;
/// MinorNumber is N of <c>/dev/nvidiaN</c>; NumaNode comes from sysfs and is null where the kernel
/// reports none (-1); MigCapable means nvmlDeviceGetMigMode answers, MigEnabled is the current mode.
/// </summary>
internal sealed record GpuDevice(
    int Index,
    string Uuid,
    int MinorNumber,
    string Name,
    long MemoryMiB,
    ComputeCapability ComputeCapability,
    string PciBusId,
    int? NumaNode,
    bool MigEnabled,
    bool MigCapable = false)
{
    public string DevicePath => $"/dev/nvidia{MinorNumber}";
}
