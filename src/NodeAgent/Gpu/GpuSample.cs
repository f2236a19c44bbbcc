namespace Platform.NodeAgent.Gpu;

/// <summary>
/// One reading of a GPU's counters. A null field means the GPU or driver does not report it
/// (NVML_ERROR_NOT_SUPPORTED); the metric is then left out rather than reported as zero.
/// Framebuffer figures follow DCGM: used + free + reserved = total, where reserved is what the driver
/// keeps for itself (null on drivers before r510, whose "used" then includes it).
/// </summary>
internal sealed record GpuSample(
    uint? GpuUtilPercent,
    uint? MemCopyUtilPercent,
    long? FbUsedMiB,
    long? FbFreeMiB,
    long? FbReservedMiB,
    uint? TemperatureC,
    double? PowerWatts,
    ulong? TotalEnergyMillijoules,
    uint? SmClockMHz,
    uint? MemClockMHz)
{
    public static readonly GpuSample None = new(null, null, null, null, null, null, null, null, null, null);
}
