using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Health;

/// <summary>
/// Health of one GPU: Healthy → Unhealthy(reason) → Healthy, with Unhealthy → Unhealthy when a transient fault turns fatal. Fatal faults (listed XIDs, double-bit ECC,
/// a lost GPU, pending retirement, row-remap failure) clear only when a probe passes with a newer reset
/// generation than the one seen when the fault hit, i.e. after a GPU reset. Transient faults clear after
/// <see cref="HealthOptions.QuietPeriod"/> of passing probes with no new fault. Pure: time comes in as
/// arguments, the caller serialises calls.
/// </summary>
internal sealed class GpuHealthStateMachine
{
    private readonly IReadOnlySet<ulong> _ignored;
    private readonly IReadOnlySet<ulong> _fatal;
    private readonly TimeSpan _quietPeriod;
    private readonly int? _temperatureLimitC;
    private long _lastGeneration;
    private long _faultGeneration;
    private DateTimeOffset? _passingSince;

    public GpuHealthStateMachine(GpuDevice device, IReadOnlySet<ulong> ignoredXids, IReadOnlySet<ulong> fatalXids, TimeSpan quietPeriod, int? temperatureLimitC = null)
    {
        _temperatureLimitC = temperatureLimitC;
        Device = device;
        _ignored = ignoredXids;
        _fatal = fatalXids;
        _quietPeriod = quietPeriod;
    }

    public GpuDevice Device { get; }

    public GpuHealthState State { get; private set; } = GpuHealthState.Healthy;

    /// <summary>Why the GPU is unhealthy; empty while healthy.</summary>
    public string Reason { get; private set; } = string.Empty;

    public bool Fatal { get; private set; }

    public HealthTransition? OnEvent(GpuEvent gpuEvent, DateTimeOffset now) => gpuEvent.Kind switch
    {
        GpuEventKind.DoubleBitEcc => Fault(HealthReasons.DoubleBitEcc, "a double-bit ECC error was reported", fatal: true, now),
        _ when _ignored.Contains(gpuEvent.Code) => null,
        _ => Fault(HealthReasons.Xid(gpuEvent.Code), $"XID {gpuEvent.Code} was reported", _fatal.Contains(gpuEvent.Code), now),
    };

    public HealthTransition? OnProbe(GpuProbeResult probe, DateTimeOffset now)
    {
        var resetSinceFault = probe.ResetGeneration != _faultGeneration;
        _lastGeneration = probe.ResetGeneration;
        if (probe.IsOk && _temperatureLimitC is { } limit && probe.TemperatureC >= limit)
        {
            return Fault(HealthReasons.OverTemperature, $"temperature {probe.TemperatureC} C reached the limit {limit} C", fatal: false, now);
        }

        switch (probe.Status)
        {
            case GpuProbeStatus.Lost:
                return Fault(HealthReasons.GpuLost, probe.Detail, fatal: true, now);
            case GpuProbeStatus.PendingPageRetirement:
                return Fault(HealthReasons.PendingPageRetirement, probe.Detail, fatal: true, now);
            case GpuProbeStatus.RowRemapFailure:
                return Fault(HealthReasons.RowRemapFailure, probe.Detail, fatal: true, now);
            case GpuProbeStatus.OverTemperature:
                return Fault(HealthReasons.OverTemperature, probe.Detail, fatal: false, now);
            case GpuProbeStatus.Error:
                return Fault(HealthReasons.ProbeFailed, probe.Detail, fatal: false, now);
        }

        if (State == GpuHealthState.Healthy)
        {
            return null;
        }

        if (Fatal)
        {
            return resetSinceFault
                ? Recover(HealthReasons.RecoveredAfterReset, "the GPU probes healthy after a reset", now)
                : null;
        }

        _passingSince ??= now;
        return now - _passingSince.Value >= _quietPeriod
            ? Recover(HealthReasons.RecoveredAfterQuietPeriod, $"the GPU passed probes for {_quietPeriod}", now)
            : null;
    }

    /// <summary>A health check that should cover this GPU cannot run: never fail open, count it as a transient fault.</summary>
    public HealthTransition? OnCheckUnavailable(string detail, DateTimeOffset now) =>
        Fault(HealthReasons.HealthCheckUnavailable, detail, fatal: false, now);

    private HealthTransition? Fault(string reason, string detail, bool fatal, DateTimeOffset now)
    {
        _passingSince = null;
        if (State == GpuHealthState.Unhealthy)
        {
            // Already unhealthy: a fatal fault upgrades a transient one and is reported as a transition of its
            // own (Unhealthy -> Unhealthy, fatal), since what follows differs: recovery now needs a reset, and
            // remediation starts only for fatal faults. Anything else only restarts the quiet period.
            if (fatal && !Fatal)
            {
                Fatal = true;
                Reason = reason;
                _faultGeneration = _lastGeneration;
                return new HealthTransition(Device.Uuid, Device.Index, GpuHealthState.Unhealthy, GpuHealthState.Unhealthy, reason, detail, Fatal: true, now);
            }

            return null;
        }

        State = GpuHealthState.Unhealthy;
        Reason = reason;
        Fatal = fatal;
        _faultGeneration = _lastGeneration;
        return new HealthTransition(Device.Uuid, Device.Index, GpuHealthState.Healthy, GpuHealthState.Unhealthy, reason, detail, fatal, now);
    }

    private HealthTransition Recover(string reason, string detail, DateTimeOffset now)
    {
        var wasFatal = Fatal;
        State = GpuHealthState.Healthy;
        Reason = string.Empty;
        Fatal = false;
        _passingSince = null;
        return new HealthTransition(Device.Uuid, Device.Index, GpuHealthState.Unhealthy, GpuHealthState.Healthy, reason, detail, wasFatal, now);
    }
}
