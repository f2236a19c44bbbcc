using Platform.DevicePlugin.Inventory;
using System.Collections.Concurrent;
using System.Globalization;

namespace Platform.NodeAgent.Gpu.Simulated;

/// <summary>
/// A driver without hardware: GPUs from <see cref="SimulatedGpuOptions"/>, synthetic counters that move
/// with the clock, and fault injection (XID, lost GPU, reset) for tests, kind clusters and demos.
/// </summary>
internal sealed class SimulatedGpuDriver : IGpuDriver
{
    private readonly SimulatedGpuOptions _options;
    private readonly TimeProvider _time;
    private readonly GpuDiscovery _discovery;
    private readonly DeviceState[] _states;
    private readonly BlockingCollection<GpuEvent> _events = new(new ConcurrentQueue<GpuEvent>());
    private readonly long _startTimestamp;

    public SimulatedGpuDriver(SimulatedGpuOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        _discovery = Build(options);
        _states = [.. _discovery.Devices.Select(_ => new DeviceState())];
    }

    public string Name => GpuDriverKinds.Simulated;

    public bool SupportsEvents => true;

    public int Count => _discovery.Devices.Count;

    public static string UuidFor(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"GPU-5a1a7ed0-0000-4000-8000-{index:x12}");

    private static GpuDiscovery Build(SimulatedGpuOptions options)
    {
        var capability = ComputeCapability.Parse(options.ComputeCapability);
        _ = DriverVersion.TryParseCuda(options.CudaVersion, out var cuda);
        var migCapable = SimulatedMig.IsCapable(options.Product);
        var profiles = migCapable ? SimulatedMig.Profiles(options) : [];
        var devices = new List<GpuDevice>(options.Count);
        for (var index = 0; index < options.Count; index++)
        {
            devices.Add(new GpuDevice(
                index,
                UuidFor(index),
                index,
                options.Product,
                options.MemoryMiB,
                capability,
                string.Create(CultureInfo.InvariantCulture, $"00000000:{0x10 + index:X2}:00.0"),
                options.Count > 1 ? index * 2 / options.Count : 0,
                MigEnabled: profiles.Count > 0,
                MigCapable: migCapable));
        }

        var links = new List<GpuLink>();
        for (var a = 0; a < devices.Count; a++)
        {
            for (var b = a + 1; b < devices.Count; b++)
            {
                links.Add(options.NvLink
                    ? new GpuLink(a, b, GpuInterconnect.NvLink, 12)
                    : new GpuLink(a, b, devices[a].NumaNode == devices[b].NumaNode ? GpuInterconnect.HostBridge : GpuInterconnect.CrossNuma, 0));
            }
        }

        return new GpuDiscovery(GpuDriverKinds.Simulated, options.DriverVersion, cuda, devices, links)
        {
            MigDevices = [.. devices.SelectMany(d => SimulatedMig.Instantiate(d, profiles))],
        };
    }

    public GpuDiscovery Discover() => _discovery;

    public GpuSample Sample(GpuDevice device)
    {
        var state = StateOf(device.Index);
        lock (state)
        {
            if (state.Lost)
            {
                throw new GpuDriverException("nvmlDeviceGetUtilizationRates", 15, "GPU is lost");
            }
        }

        // Smooth, deterministic curves per GPU so dashboards show movement without randomness in tests.
        var seconds = _time.GetElapsedTime(_startTimestamp).TotalSeconds;
        var phase = seconds / 30.0 + device.Index;
        var util = (uint)Math.Round(50 + 45 * Math.Sin(phase));
        var reserved = Math.Min(device.MemoryMiB, 512);
        var used = (long)((device.MemoryMiB - reserved) * (0.25 + 0.2 * Math.Sin(phase / 2)));
        var power = 70 + 2.5 * util;
        return new GpuSample(
            util,
            util / 2,
            used,
            device.MemoryMiB - reserved - used,
            reserved,
            (uint)(35 + util / 3),
            power,
            (ulong)(seconds * power * 1000),
            (uint)(1410 * util / 100 + 210),
            1215);
    }

    /// <summary>A MIG device's framebuffer: a share of its memory that moves with the clock, like whole GPUs.</summary>
    public GpuSample SampleMig(Mig.MigDevice device)
    {
        var state = StateOf(device.ParentIndex);
        lock (state)
        {
            if (state.Lost)
            {
                throw new GpuDriverException("nvmlDeviceGetMemoryInfo", 15, "GPU is lost");
            }
        }

        var phase = _time.GetElapsedTime(_startTimestamp).TotalSeconds / 30.0 + device.ParentIndex + device.Index;
        var used = (long)(device.MemoryMiB * (0.3 + 0.2 * Math.Sin(phase)));
        return GpuSample.None with { FbUsedMiB = used, FbFreeMiB = device.MemoryMiB - used };
    }

    public GpuProbeResult Probe(GpuDevice device)
    {
        var state = StateOf(device.Index);
        lock (state)
        {
            return state.Lost
                ? new GpuProbeResult(GpuProbeStatus.Lost, "simulated GPU fell off the bus", state.Generation)
                : new GpuProbeResult(GpuProbeStatus.Ok, "ok", state.Generation, Sample(device).TemperatureC);
        }
    }

    public GpuEvent? WaitForEvent(TimeSpan timeout) =>
        _events.TryTake(out var next, timeout) ? next : null;

    /// <summary>
    /// Raises an XID on GPU <paramref name="index"/> as NVML's event set would; with
    /// <paramref name="gpuInstanceId"/>, attributed to that GPU instance of a MIG-enabled GPU.
    /// </summary>
    public void InjectXid(int index, ulong xid, uint? gpuInstanceId = null)
    {
        _ = StateOf(index);
        _events.Add(new GpuEvent(UuidFor(index), GpuEventKind.Xid, xid) { GpuInstanceId = gpuInstanceId });
    }

    /// <summary>The GPU falls off the bus: probes report it lost and XID 79 is raised.</summary>
    public void Lose(int index)
    {
        var state = StateOf(index);
        lock (state)
        {
            state.Lost = true;
        }

        _events.Add(new GpuEvent(UuidFor(index), GpuEventKind.Xid, 79));
    }

    /// <summary>A GPU reset: the GPU answers again and its reset generation moves on.</summary>
    public void Reset(int index)
    {
        var state = StateOf(index);
        lock (state)
        {
            state.Lost = false;
            state.Generation++;
        }
    }

    private DeviceState StateOf(int index) =>
        index >= 0 && index < _states.Length
            ? _states[index]
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"GPU index must be 0 to {_states.Length - 1}.");

    public void Dispose() => _events.Dispose();

    private sealed class DeviceState
    {
        public bool Lost;
        public long Generation;
    }
}
