using Platform.DevicePlugin.Inventory;
using System.Collections.Concurrent;

namespace Platform.NodeAgent.Gpu.Native;

/// <summary>
/// <see cref="IGpuDriver"/> over NVML: discovery, sampling, probes and the XID / ECC event set.
/// NVML is thread-safe; the sampler, the prober and the event thread call it concurrently.
/// </summary>
internal sealed unsafe class NvmlGpuDriver : IGpuDriver
{
    private readonly string _sysRoot;
    private readonly string _procRoot;
    private readonly ConcurrentDictionary<string, nint> _migHandles = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, nint> _handles = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<nint, string> _uuids = new();
    private readonly ConcurrentDictionary<string, ResetEvidence> _evidence = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _eventGate = new();
    private nint _eventSet;
    private bool _eventsTried;
    private volatile bool _memoryV1Only;
    private bool _disposed;

    private NvmlGpuDriver(string sysRoot, string procRoot)
    {
        _sysRoot = sysRoot;
        _procRoot = procRoot;
    }

    public string Name => "nvml";

    public bool SupportsEvents { get; private set; } = true;

    /// <summary>Loads the library under <paramref name="driverRoot"/> and calls nvmlInit_v2; <paramref name="procRoot"/> holds the MIG capability files.</summary>
    public static NvmlGpuDriver Open(string driverRoot, string sysRoot, string procRoot = "/proc")
    {
        if (!NativeLibraryResolver.TryLoad(driverRoot, NvmlNative.Library, out var failure))
        {
            throw new GpuDriverException(failure);
        }

        NvmlCall.Check("nvmlInit_v2", NvmlNative.Init());
        return new NvmlGpuDriver(sysRoot, procRoot);
    }

    public GpuDiscovery Discover()
    {
        var version = stackalloc byte[NvmlNative.DriverVersionBufferSize];
        NvmlCall.Check("nvmlSystemGetDriverVersion", NvmlNative.SystemGetDriverVersion(version, NvmlNative.DriverVersionBufferSize));
        int cuda;
        NvmlCall.Check("nvmlSystemGetCudaDriverVersion_v2", NvmlNative.SystemGetCudaDriverVersion(&cuda));
        uint count;
        NvmlCall.Check("nvmlDeviceGetCount_v2", NvmlNative.DeviceGetCount(&count));

        var devices = new List<GpuDevice>((int)count);
        var handles = new List<nint>((int)count);
        for (uint index = 0; index < count; index++)
        {
            nint handle;
            NvmlCall.Check("nvmlDeviceGetHandleByIndex_v2", NvmlNative.DeviceGetHandleByIndex(index, &handle));
            var device = ReadDevice((int)index, handle);
            devices.Add(device);
            handles.Add(handle);
            _handles[device.Uuid] = handle;
            _uuids[handle] = device.Uuid;
        }

        var mig = new List<Mig.MigDevice>();
        for (var i = 0; i < devices.Count; i++)
        {
            if (!devices[i].MigEnabled)
            {
                continue;
            }

            foreach (var (device, handle) in NvmlMigReader.Read(devices[i], handles[i], _procRoot))
            {
                mig.Add(device);
                _migHandles[device.Uuid] = handle;
            }
        }

        return new GpuDiscovery(
            Name,
            NativeText.FromBuffer(new ReadOnlySpan<byte>(version, NvmlNative.DriverVersionBufferSize)),
            cuda,
            devices,
            ReadTopology(devices, handles))
        {
            MigDevices = mig,
        };
    }

    private GpuDevice ReadDevice(int index, nint handle)
    {
        var uuid = stackalloc byte[NvmlNative.NameBufferSize];
        NvmlCall.Check("nvmlDeviceGetUUID", NvmlNative.DeviceGetUuid(handle, uuid, NvmlNative.NameBufferSize));
        var name = stackalloc byte[NvmlNative.NameBufferSize];
        NvmlCall.Check("nvmlDeviceGetName", NvmlNative.DeviceGetName(handle, name, NvmlNative.NameBufferSize));
        uint minor;
        NvmlCall.Check("nvmlDeviceGetMinorNumber", NvmlNative.DeviceGetMinorNumber(handle, &minor));
        NvmlPciInfo pci;
        NvmlCall.Check("nvmlDeviceGetPciInfo_v3", NvmlNative.DeviceGetPciInfo(handle, &pci));
        NvmlMemory memory;
        NvmlCall.Check("nvmlDeviceGetMemoryInfo", NvmlNative.DeviceGetMemoryInfo(handle, &memory));
        int major, ccMinor;
        NvmlCall.Check("nvmlDeviceGetCudaComputeCapability", NvmlNative.DeviceGetCudaComputeCapability(handle, &major, &ccMinor));
        uint current = 0, pending = 0;
        var migCapable = NvmlCall.Optional("nvmlDeviceGetMigMode", NvmlNative.DeviceGetMigMode(handle, &current, &pending));

        var busId = PciBusId.Normalize(NativeText.FromBuffer(new ReadOnlySpan<byte>(pci.BusId, 32)));
        return new GpuDevice(
            index,
            NativeText.FromBuffer(new ReadOnlySpan<byte>(uuid, NvmlNative.NameBufferSize)),
            (int)minor,
            NativeText.FromBuffer(new ReadOnlySpan<byte>(name, NvmlNative.NameBufferSize)),
            (long)(memory.Total / (1024 * 1024)),
            new ComputeCapability(major, ccMinor),
            busId,
            PciBusId.ReadNumaNode(_sysRoot, busId),
            MigEnabled: migCapable && current == NvmlNative.MigEnabled,
            MigCapable: migCapable);
    }

    private static List<GpuLink> ReadTopology(List<GpuDevice> devices, List<nint> handles)
    {
        var links = new List<GpuLink>();
        var busIndex = devices.ToDictionary(d => d.PciBusId, d => d.Index, StringComparer.OrdinalIgnoreCase);
        var nvlinks = new int[devices.Count, devices.Count];
        for (var i = 0; i < devices.Count; i++)
        {
            for (uint link = 0; link < NvmlNative.MaxNvLinks; link++)
            {
                int active;
                if (NvmlNative.DeviceGetNvLinkState(handles[i], link, &active) != NvmlNative.Success || active == 0)
                {
                    continue;
                }

                NvmlPciInfo remote;
                if (NvmlNative.DeviceGetNvLinkRemotePciInfo(handles[i], link, &remote) == NvmlNative.Success
                    && busIndex.TryGetValue(PciBusId.Normalize(NativeText.FromBuffer(new ReadOnlySpan<byte>(remote.BusId, 32))), out var peer))
                {
                    nvlinks[i, peer]++;
                }
            }
        }

        for (var a = 0; a < devices.Count; a++)
        {
            for (var b = a + 1; b < devices.Count; b++)
            {
                var count = Math.Max(nvlinks[a, b], nvlinks[b, a]);
                if (count > 0)
                {
                    links.Add(new GpuLink(a, b, GpuInterconnect.NvLink, count));
                    continue;
                }

                int level;
                if (NvmlCall.Optional("nvmlDeviceGetTopologyCommonAncestor", NvmlNative.DeviceGetTopologyCommonAncestor(handles[a], handles[b], &level)))
                {
                    links.Add(new GpuLink(a, b, TopologyLevel.FromNvml(level), 0));
                }
            }
        }

        return links;
    }

    public GpuSample Sample(GpuDevice device)
    {
        var handle = HandleOf(device);
        NvmlUtilization util;
        var hasUtil = NvmlCall.Optional("nvmlDeviceGetUtilizationRates", NvmlNative.DeviceGetUtilizationRates(handle, &util));
        var (hasMemory, used, free, reserved) = ReadMemory(handle);
        uint temperature, power, sm, mem;
        ulong energy;
        var hasTemperature = NvmlCall.Optional("nvmlDeviceGetTemperature", NvmlNative.DeviceGetTemperature(handle, NvmlNative.TemperatureGpu, &temperature));
        var hasPower = NvmlCall.Optional("nvmlDeviceGetPowerUsage", NvmlNative.DeviceGetPowerUsage(handle, &power));
        var hasEnergy = NvmlCall.Optional("nvmlDeviceGetTotalEnergyConsumption", NvmlNative.DeviceGetTotalEnergyConsumption(handle, &energy));
        var hasSm = NvmlCall.Optional("nvmlDeviceGetClockInfo", NvmlNative.DeviceGetClockInfo(handle, NvmlNative.ClockSm, &sm));
        var hasMem = NvmlCall.Optional("nvmlDeviceGetClockInfo", NvmlNative.DeviceGetClockInfo(handle, NvmlNative.ClockMem, &mem));

        return new GpuSample(
            hasUtil ? util.Gpu : null,
            hasUtil ? util.Memory : null,
            hasMemory ? used : null,
            hasMemory ? free : null,
            reserved,
            hasTemperature ? temperature : null,
            hasPower ? power / 1000.0 : null,
            hasEnergy ? energy : null,
            hasSm ? sm : null,
            hasMem ? mem : null);
    }

    /// <summary>A MIG device's framebuffer through its own handle (utilization, clocks and power are the parent's and not per instance).</summary>
    public GpuSample SampleMig(Mig.MigDevice device)
    {
        if (!_migHandles.TryGetValue(device.Uuid, out var handle))
        {
            throw new GpuDriverException($"MIG device {device.Uuid} is not known to NVML; discovery has not seen it.");
        }

        var (has, used, free, reserved) = ReadMemory(handle);
        return has ? GpuSample.None with { FbUsedMiB = used, FbFreeMiB = free, FbReservedMiB = reserved } : GpuSample.None;
    }

    /// <summary>
    /// Framebuffer use in MiB the way nvidia-smi and DCGM count it (nvmlDeviceGetMemoryInfo_v2: the
    /// driver's reserve apart, 616 MiB on an H200). Drivers before r510 lack v2; then v1, whose "used"
    /// includes the reserve, and no reserved figure.
    /// </summary>
    private (bool Has, long Used, long Free, long? Reserved) ReadMemory(nint handle)
    {
        const long MiB = 1024 * 1024;
        if (!_memoryV1Only)
        {
            var v2 = new NvmlMemoryV2 { Version = NvmlNative.MemoryV2Version };
            int result;
            try
            {
                result = NvmlNative.DeviceGetMemoryInfoV2(handle, &v2);
            }
            catch (EntryPointNotFoundException)
            {
                result = NvmlNative.ErrorFunctionNotFound;
            }

            if (result == NvmlNative.Success)
            {
                return (true, (long)(v2.Used / MiB), (long)(v2.Free / MiB), (long)(v2.Reserved / MiB));
            }

            if (result is not (NvmlNative.ErrorFunctionNotFound or NvmlNative.ErrorNotSupported or NvmlNative.ErrorArgumentVersionMismatch))
            {
                NvmlCall.Check("nvmlDeviceGetMemoryInfo_v2", result);
            }

            _memoryV1Only = true;
        }

        NvmlMemory v1;
        return NvmlCall.Optional("nvmlDeviceGetMemoryInfo", NvmlNative.DeviceGetMemoryInfo(handle, &v1))
            ? (true, (long)(v1.Used / MiB), (long)(v1.Free / MiB), null)
            : (false, 0, 0, null);
    }

    public GpuProbeResult Probe(GpuDevice device)
    {
        var evidence = _evidence.GetOrAdd(device.Uuid, _ => new ResetEvidence());
        try
        {
            var handle = evidence.Lost ? Reacquire(device.Uuid) : HandleOf(device);
            uint temperature;
            var result = NvmlNative.DeviceGetTemperature(handle, NvmlNative.TemperatureGpu, &temperature);
            if (result is NvmlNative.ErrorGpuIsLost or NvmlNative.ErrorResetRequired)
            {
                evidence.Lost = true;
                return new GpuProbeResult(GpuProbeStatus.Lost, $"nvmlDeviceGetTemperature returned {result} ({NvmlCall.Describe(result)})", evidence.Generation);
            }

            if (evidence.Lost)
            {
                // The handle answers again after the GPU was lost: the driver re-enumerated it, i.e. it was reset.
                evidence.Lost = false;
                evidence.Generation++;
            }

            var hasTemperature = NvmlCall.Optional("nvmlDeviceGetTemperature", result);
            TrackVolatileEcc(handle, evidence);

            int pendingPages;
            if (NvmlCall.Optional("nvmlDeviceGetRetiredPagesPendingStatus", NvmlNative.DeviceGetRetiredPagesPendingStatus(handle, &pendingPages)) && pendingPages != 0)
            {
                return new GpuProbeResult(GpuProbeStatus.PendingPageRetirement, "retired pages are pending a GPU reset", evidence.Generation);
            }

            uint corrected, uncorrected, pendingRows, failed;
            if (NvmlCall.Optional("nvmlDeviceGetRemappedRows", NvmlNative.DeviceGetRemappedRows(handle, &corrected, &uncorrected, &pendingRows, &failed)))
            {
                if (failed != 0)
                {
                    return new GpuProbeResult(GpuProbeStatus.RowRemapFailure, "row remapping failed", evidence.Generation);
                }

                if (pendingRows != 0)
                {
                    return new GpuProbeResult(GpuProbeStatus.PendingPageRetirement, "row remapping is pending a GPU reset", evidence.Generation);
                }
            }

            return new GpuProbeResult(GpuProbeStatus.Ok, "ok", evidence.Generation, hasTemperature ? temperature : null);
        }
        catch (GpuDriverException ex)
        {
            return new GpuProbeResult(GpuProbeStatus.Error, ex.Message, evidence.Generation);
        }
    }

    /// <summary>Volatile ECC counters go back to zero on a GPU reset: a drop is evidence of one.</summary>
    private static void TrackVolatileEcc(nint handle, ResetEvidence evidence)
    {
        ulong count;
        if (NvmlNative.DeviceGetTotalEccErrors(handle, NvmlNative.MemoryErrorUncorrected, NvmlNative.VolatileEcc, &count) != NvmlNative.Success)
        {
            return;
        }

        if (count < evidence.VolatileUncorrected)
        {
            evidence.Generation++;
        }

        evidence.VolatileUncorrected = count;
    }

    private nint Reacquire(string uuid)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(uuid + "\0");
        nint handle;
        fixed (byte* text = bytes)
        {
            var result = NvmlNative.DeviceGetHandleByUuid(text, &handle);
            if (result != NvmlNative.Success)
            {
                // Still gone: keep the old handle, the probe call reports GPU_IS_LOST again.
                return _handles.TryGetValue(uuid, out var old) ? old : 0;
            }
        }

        _handles[uuid] = handle;
        _uuids[handle] = uuid;
        return handle;
    }

    public GpuEvent? WaitForEvent(TimeSpan timeout)
    {
        var set = EnsureEventSet();
        if (set == 0)
        {
            return null;
        }

        // Drivers before MIG write only the first three fields: instance ids stay "whole GPU" then.
        var data = new NvmlEventData { GpuInstanceId = NvmlNative.NoInstance, ComputeInstanceId = NvmlNative.NoInstance };
        var result = NvmlNative.EventSetWait(set, &data, (uint)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
        if (result == NvmlNative.ErrorTimeout)
        {
            return null;
        }

        NvmlCall.Check("nvmlEventSetWait_v2", result);
        var uuid = _uuids.TryGetValue(data.Device, out var known) ? known : string.Empty;
        var instance = data.GpuInstanceId == NvmlNative.NoInstance ? (uint?)null : data.GpuInstanceId;
        return (data.EventType & NvmlNative.EventTypeXidCriticalError) != 0
            ? new GpuEvent(uuid, GpuEventKind.Xid, data.EventData) { GpuInstanceId = instance }
            : new GpuEvent(uuid, GpuEventKind.DoubleBitEcc, 0) { GpuInstanceId = instance };
    }

    private nint EnsureEventSet()
    {
        lock (_eventGate)
        {
            if (_eventsTried)
            {
                return _eventSet;
            }

            _eventsTried = true;
            nint set;
            NvmlCall.Check("nvmlEventSetCreate", NvmlNative.EventSetCreate(&set));
            var registered = 0;
            foreach (var (_, handle) in _handles)
            {
                ulong supported;
                if (!NvmlCall.Optional("nvmlDeviceGetSupportedEventTypes", NvmlNative.DeviceGetSupportedEventTypes(handle, &supported)))
                {
                    continue;
                }

                var wanted = supported & (NvmlNative.EventTypeXidCriticalError | NvmlNative.EventTypeDoubleBitEccError);
                if (wanted != 0 && NvmlCall.Optional("nvmlDeviceRegisterEvents", NvmlNative.DeviceRegisterEvents(handle, wanted, set)))
                {
                    registered++;
                }
            }

            SupportsEvents = registered > 0;
            _eventSet = set;
            return set;
        }
    }

    private nint HandleOf(GpuDevice device) =>
        _handles.TryGetValue(device.Uuid, out var handle)
            ? handle
            : throw new GpuDriverException($"GPU {device.Uuid} is not known to NVML; discovery has not seen it.");

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_eventSet != 0)
        {
            _ = NvmlNative.EventSetFree(_eventSet);
        }

        _ = NvmlNative.Shutdown();
    }

    private sealed class ResetEvidence
    {
        public bool Lost;
        public long Generation;
        public ulong VolatileUncorrected;
    }
}
