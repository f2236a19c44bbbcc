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
            return _machines.TryGetValue(uuid, out var machine) ? machine.State : GpuHealthState.Unhealthy;
        }
    }

    /// <summary>Returns false for an event about a GPU discovery did not report (the caller logs it).</summary>
    public bool OnEvent(GpuEvent gpuEvent) => Apply(gpuEvent.Uuid, m =>
    {
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

    public bool OnProbe(GpuDevice device, GpuProbeResult probe) => Apply(device.Uuid, m => m.OnProbe(probe, _time.GetUtcNow()));

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
