using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Health;

/// <summary>
/// Feeds the <see cref="GpuHealthTracker"/>: a dedicated thread waits on the driver's event set (the NVML
/// wait blocks in native code), and a periodic timer probes every GPU. When the event set cannot be
/// opened or waited on, every GPU is marked unhealthy until it works again: never fail open.
/// </summary>
internal sealed partial class HealthMonitor : BackgroundService
{
    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly GpuRuntime _gpu;
    private readonly GpuHealthTracker _tracker;
    private readonly HealthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<HealthMonitor> _logger;

    public HealthMonitor(GpuRuntime gpu, GpuHealthTracker tracker, IOptions<HealthOptions> options, TimeProvider time, ILogger<HealthMonitor> logger)
    {
        _gpu = gpu;
        _tracker = tracker;
        _options = options.Value;
        _time = time;
        _logger = logger;
        tracker.Subscribe(LogTransition);
    }

    /// <summary>Null while events flow; otherwise why they do not (shown in /readyz).</summary>
    public string? EventsProblem { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_gpu.Driver is not { } driver || _gpu.Discovery.Devices.Count == 0)
        {
            return;
        }

        var events = Task.Factory.StartNew(() => EventLoop(driver, stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            ProbeAll(driver);
            using var timer = new PeriodicTimer(_options.ProbeInterval, _time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                ProbeAll(driver);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }

        await events.ConfigureAwait(false);
    }

    /// <summary>One probe pass over every GPU; public so tests can drive it without the timer.</summary>
    internal void ProbeAll(IGpuDriver driver)
    {
        foreach (var device in _gpu.Discovery.Devices)
        {
            GpuProbeResult result;
            try
            {
                result = driver.Probe(device);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                result = new GpuProbeResult(GpuProbeStatus.Error, ex.Message, 0);
            }

            _tracker.OnProbe(device, result);
        }
    }

    private void EventLoop(IGpuDriver driver, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var warnedUnsupported = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var next = driver.WaitForEvent(EventWait);
                if (EventsProblem is not null && driver.SupportsEvents)
                {
                    LogEventsRecovered();
                    EventsProblem = null;
                }

                if (!driver.SupportsEvents)
                {
                    if (!warnedUnsupported)
                    {
                        // Some boards (and the CUDA-only mode) have no XID events: probes alone watch them.
                        warnedUnsupported = true;
                        EventsProblem = $"driver {driver.Name} delivers no XID/ECC events; health relies on probes every {_options.ProbeInterval}";
                        LogEventsUnsupported(driver.Name);
                    }

                    stoppingToken.WaitHandle.WaitOne(_options.ProbeInterval);
                    continue;
                }

                backoff = TimeSpan.FromSeconds(1);
                if (next is not null && !_tracker.OnEvent(next))
                {
                    LogUnknownGpuEvent(next.Uuid, next.Kind.ToString(), next.Code);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                EventsProblem = $"the GPU event set failed: {ex.Message}";
                LogEventsFailed(ex.Message, backoff);
                _tracker.OnCheckUnavailable(EventsProblem);
                stoppingToken.WaitHandle.WaitOne(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private void LogTransition(HealthTransition t)
    {
        if (t.To == GpuHealthState.Unhealthy)
        {
            LogUnhealthy(t.Index, t.Uuid, t.Reason, t.Fatal, t.Detail);
        }
        else
        {
            LogHealthy(t.Index, t.Uuid, t.Reason, t.Detail);
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "GPU {Index} ({Uuid}) is unhealthy: {Reason} (fatal: {Fatal}); {Detail}.")]
    private partial void LogUnhealthy(int index, string uuid, string reason, bool fatal, string detail);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "GPU {Index} ({Uuid}) is healthy again: {Reason}; {Detail}.")]
    private partial void LogHealthy(int index, string uuid, string reason, string detail);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "The GPU event set failed; every GPU counts as unhealthy until it works again, retrying in {Backoff}: {Reason}")]
    private partial void LogEventsFailed(string reason, TimeSpan backoff);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "The GPU event set works again.")]
    private partial void LogEventsRecovered();

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Driver {Driver} delivers no XID/ECC events on these GPUs; health relies on periodic probes.")]
    private partial void LogEventsUnsupported(string driver);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Ignored a {Kind} event ({Code}) for GPU {Uuid} that discovery did not report.")]
    private partial void LogUnknownGpuEvent(string uuid, string kind, ulong code);
}
