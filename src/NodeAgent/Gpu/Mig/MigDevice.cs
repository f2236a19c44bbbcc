namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>
/// One MIG device (a compute instance inside a GPU instance) of a MIG-enabled GPU. Uuid is the
/// <c>MIG-…</c> UUID NVML reports and the device-plugin device ID; Index is its position among the
/// parent's MIG devices (<c>nvmlDeviceGetMigDeviceHandleByIndex</c>); Profile is NVIDIA's name
/// (<c>1g.10gb</c>, <c>1g.10gb+me</c>, <c>1c.3g.40gb</c>). CapabilityDevices are the
/// <c>/dev/nvidia-caps/nvidia-capN</c> nodes granting access to the GPU and compute instance, where the
/// driver exposes them.
/// </summary>
internal sealed record MigDevice(
    string Uuid,
    string ParentUuid,
    int ParentIndex,
    int Index,
    uint GpuInstanceId,
    uint ComputeInstanceId,
    string Profile,
    long MemoryMiB,
    int Multiprocessors,
    MigSlices Slices,
    MigEngines Engines)
{
    public IReadOnlyList<string> CapabilityDevices { get; init; } = [];
}

/// <summary>GPU-instance and compute-instance slice counts of a MIG device.</summary>
internal sealed record MigSlices(int GpuInstance, int ComputeInstance);

/// <summary>The engines a MIG device's GPU instance holds (shared among its compute instances).</summary>
internal sealed record MigEngines(int Copy, int Decoder, int Encoder, int Jpeg, int Ofa);
