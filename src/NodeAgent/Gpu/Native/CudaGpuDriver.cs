namespace Platform.NodeAgent.Gpu.Native;

/// <summary>
/// Discovery through the CUDA driver API alone (<c>Gpu:Driver=cuda</c>), for nodes where NVML is not
/// mounted. CUDA has no counters and no event set: samples are empty and health rests on the probe,
/// which re-reads a device attribute and fails if the driver stops answering.
/// </summary>
internal sealed unsafe class CudaGpuDriver : IGpuDriver
{
    private readonly string _sysRoot;
    private readonly string _procRoot;
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.OrdinalIgnoreCase);

    private CudaGpuDriver(string sysRoot, string procRoot)
    {
        _sysRoot = sysRoot;
        _procRoot = procRoot;
    }

    public string Name => "cuda";

    public bool SupportsEvents => false;

    public static CudaGpuDriver Open(string driverRoot, string sysRoot, string procRoot)
    {
        if (!NativeLibraryResolver.TryLoad(driverRoot, CudaNative.Library, out var failure))
        {
            throw new GpuDriverException(failure);
        }

        return new CudaGpuDriver(sysRoot, procRoot);
    }

    public GpuDiscovery Discover()
    {
        var (cudaVersion, cudaDevices) = CudaDeviceReader.Read();
        var driverVersion = ProcDriverInfo.ParseDriverVersion(ProcDriverInfo.TryRead(Path.Combine(_procRoot, "driver/nvidia/version")) ?? string.Empty) ?? string.Empty;

        // nvidia-smi and NVML number GPUs in PCI bus order; do the same so indices agree.
        var ordered = cudaDevices.OrderBy(d => d.PciBusId, StringComparer.OrdinalIgnoreCase).ToList();
        var devices = new List<GpuDevice>(ordered.Count);
        for (var index = 0; index < ordered.Count; index++)
        {
            var info = ordered[index];
            var busId = PciBusId.Normalize(info.PciBusId);
            var minor = ProcDriverInfo.ParseMinorNumber(
                ProcDriverInfo.TryRead(Path.Combine(_procRoot, "driver/nvidia/gpus", PciBusId.ToSysfs(busId), "information")) ?? string.Empty);
            devices.Add(new GpuDevice(index, info.Uuid, minor ?? index, info.Name, info.MemoryMiB, info.ComputeCapability,
                busId, PciBusId.ReadNumaNode(_sysRoot, busId), MigEnabled: false));
            _ordinals[info.Uuid] = info.Ordinal;
        }

        return new GpuDiscovery(Name, driverVersion, cudaVersion, devices, []);
    }

    public GpuSample Sample(GpuDevice device) => GpuSample.None;

    public GpuProbeResult Probe(GpuDevice device)
    {
        if (!_ordinals.TryGetValue(device.Uuid, out var ordinal))
        {
            return new GpuProbeResult(GpuProbeStatus.Error, $"GPU {device.Uuid} is not known to CUDA.", 0);
        }

        int value;
        var result = CudaNative.DeviceGetAttribute(&value, CudaNative.AttributeComputeCapabilityMajor, ordinal);
        return result == CudaNative.Success
            ? new GpuProbeResult(GpuProbeStatus.Ok, "ok", 0)
            : new GpuProbeResult(GpuProbeStatus.Error, $"cuDeviceGetAttribute returned {result} ({CudaCall.Describe(result)}).", 0);
    }

    public GpuEvent? WaitForEvent(TimeSpan timeout) => null;

    public void Dispose()
    {
        // The CUDA driver API has no global shutdown; contexts are never created by the agent.
    }
}
