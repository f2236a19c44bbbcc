using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Health;

/// <summary>
/// The state machines of every GPU, one lock around them, and the fan-out of transitions to the device
/// plugin inventory, metrics, logs and Node Events. Handlers run under the lock so every consumer sees
/// transitions in order; they only enqueue.
/// </summary>
internal sealed class GpuHealthTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, GpuHealthStateMachine> _machines = new(StringComparer.OrdinalIgnoreCase);
    private readonly MigHealthMachines _mig;
    private readonly List<Action<HealthTransition>> _subscribers = [];
    private readonly Dictionary<string, ulong> _lastXid = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;
    private long _version;

    public GpuHealthTracker(GpuDiscovery discovery, IOptions<HealthOptions> options, TimeProvider time)
    {
        _time = time;
        var health = options.Value;
        var ignored = health.ParsedIgnoredXids;
        var fatal = health.ParsedFatalXids;
        foreach (var device in discovery.Devices)
        {
            _machines[device.Uuid] = new GpuHealthStateMachine(device, ignored, fatal, health.QuietPeriod, health.TemperatureLimitC);
        }

        _mig = new MigHealthMachines(discovery, ignored, fatal, health.QuietPeriod);
    }

    /// <summary>Bumped on every transition and every XID: the cached <c>/metrics</c> page is stale when it moved.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Registers a transition handler; it must not block.</summary>
    public void Subscribe(Action<HealthTransition> handler)
    {
        lock (_gate)
        {
            _subscribers.Add(handler);
        }
    }

    public IReadOnlyList<(GpuDevice Device, GpuHealthState State, string Reason)> Snapshot()
    {
        lock (_gate)
        {
            return [.. _machines.Values.OrderBy(m => m.Device.Index).Select(m => (m.Device, m.State, m.Reason))];
        }
    }

    public GpuHealthState StateOf(string uuid)
    {
        lock (_gate)
        {
            return _machines.TryGetValue(uuid, out var machine) || _mig.TryGet(uuid, out machine) ? machine.State : GpuHealthState.Unhealthy;
        }
    }

    /// <summary>Why the GPU or MIG device is unhealthy; empty while healthy or unknown.</summary>
    public string ReasonOf(string uuid)
    {
        lock (_gate)
        {
            return _machines.TryGetValue(uuid, out var machine) || _mig.TryGet(uuid, out machine) ? machine.Reason : string.Empty;
        }
    }

    /// <summary>
    /// Returns false for an event about a GPU discovery did not report (the caller logs it). An event
    /// NVML attributes to a GPU instance faults that instance's MIG devices only.
    /// </summary>
    public bool OnEvent(GpuEvent gpuEvent) => Apply(gpuEvent.Uuid, m =>
    {
        if (gpuEvent.GpuInstanceId is { } instance && _mig.InInstance(m.Device.Uuid, instance) is { Count: > 0 } children)
        {
            if (gpuEvent.Kind == GpuEventKind.Xid)
            {
                _lastXid[m.Device.Uuid] = gpuEvent.Code;
                Interlocked.Increment(ref _version);
            }

            var now = _time.GetUtcNow();
            foreach (var child in children)
            {
                Publish(child.OnEvent(gpuEvent, now));
            }

            return null;
        }

        if (gpuEvent.Kind == GpuEventKind.Xid)
        {
            // DCGM_FI_DEV_XID_ERRORS reports the last XID, ignored ones included.
            _lastXid[m.Device.Uuid] = gpuEvent.Code;
            Interlocked.Increment(ref _version);
        }

        return m.OnEvent(gpuEvent, _time.GetUtcNow());
    });

    public IReadOnlyDictionary<string, ulong> LastXid()
    {
        lock (_gate)
        {
            return new Dictionary<string, ulong>(_lastXid, StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>A probe of a GPU also drives its MIG devices' machines, so their faults recover as the GPU's do.</summary>
    public bool OnProbe(GpuDevice device, GpuProbeResult probe) => Apply(device.Uuid, m =>
    {
        var now = _time.GetUtcNow();
        foreach (var child in _mig.ChildrenOf(device.Uuid))
        {
            Publish(child.OnProbe(probe, now));
        }

        return m.OnProbe(probe, now);
    });

    public void OnCheckUnavailable(string detail)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var machine in _machines.Values)
            {
                Publish(machine.OnCheckUnavailable(detail, now));
            }
        }
    }

    private bool Apply(string uuid, Func<GpuHealthStateMachine, HealthTransition?> step)
    {
        lock (_gate)
        {
            if (!_machines.TryGetValue(uuid, out var machine))
            {
                return false;
            }

            Publish(step(machine));
            return true;
        }
    }

    private void Publish(HealthTransition? transition)
    {
        if (transition is null)
        {
            return;
        }

        Interlocked.Increment(ref _version);
        foreach (var subscriber in _subscribers)
        {
            subscriber(transition);
        }
    }
}
