namespace Platform.NodeAgent.Gpu;

/// <summary>
/// Everything discovery learnt about the node's GPUs; the input of labels, inventory and metrics.
/// Source is the driver that produced it (nvml, cuda, simulated); DriverVersion the kernel driver
/// (550.54.15); CudaDriverVersion the CUDA driver API version as an integer (12040 = 12.4).
/// </summary>
internal sealed record GpuDiscovery(
    string Source,
    string DriverVersion,
    int CudaDriverVersion,
    IReadOnlyList<GpuDevice> Devices,
    IReadOnlyList<GpuLink> Topology)
{
    public static GpuDiscovery Empty(string source) => new(source, string.Empty, 0, [], []);

    /// <summary>The MIG devices of every MIG-enabled GPU, by parent index then MIG index; empty when MIG is off everywhere.</summary>
    public IReadOnlyList<Mig.MigDevice> MigDevices { get; init; } = [];

    public GpuDevice? FindByUuid(string uuid)
    {
        foreach (var device in Devices)
        {
            if (string.Equals(device.Uuid, uuid, StringComparison.OrdinalIgnoreCase))
            {
                return device;
            }
        }

        return null;
    }
}
