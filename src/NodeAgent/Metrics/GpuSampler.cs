using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// Samples every GPU on <see cref="MetricsOptions.SampleInterval"/> and publishes an immutable
/// <see cref="GpuSnapshot"/>. Scrapes read the last snapshot, so NVML is called at a fixed rate however
/// often Prometheus scrapes (dcgm-exporter calls the driver and the kubelet on every scrape).
/// </summary>
internal sealed partial class GpuSampler : BackgroundService
{
    private readonly GpuRuntime _gpu;
    private readonly AgentMetrics _metrics;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger<GpuSampler> _logger;
    private GpuSnapshot _snapshot = GpuSnapshot.Empty;

    public GpuSampler(GpuRuntime gpu, AgentMetrics metrics, IOptions<MetricsOptions> options, TimeProvider time, ILogger<GpuSampler> logger)
    {
        _gpu = gpu;
        _metrics = metrics;
        _interval = options.Value.SampleInterval;
        _time = time;
        _logger = logger;
    }

    public GpuSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Raised on the sampler's thread after each new snapshot (the metrics page renders then, not on a scrape).</summary>
    public event Action? Sampled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_gpu.Driver is null)
        {
            return;
        }

        SampleOnce();
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                SampleOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    internal void SampleOnce()
    {
        if (_gpu.Driver is not { } driver)
        {
            return;
        }

        var readings = new List<GpuReading>(_gpu.Discovery.Devices.Count);
        foreach (var device in _gpu.Discovery.Devices)
        {
            try
            {
                readings.Add(new GpuReading(device, driver.Sample(device)));
            }
            catch (Exception ex) when (ex is GpuDriverException or DllNotFoundException or EntryPointNotFoundException)
            {
                // The series disappear for this GPU until it answers again; the error is counted and logged.
                _metrics.CountNvmlError();
                LogSampleFailed(device.Index, device.Uuid, ex.Message);
                readings.Add(new GpuReading(device, null));
            }
        }

        var migReadings = new List<MigReading>(_gpu.Discovery.MigDevices.Count);
        foreach (var mig in _gpu.Discovery.MigDevices)
        {
            if (_gpu.Discovery.FindByUuid(mig.ParentUuid) is not { } parent)
            {
                continue;
            }

            try
            {
                migReadings.Add(new MigReading(parent, mig, driver.SampleMig(mig)));
            }
            catch (Exception ex) when (ex is GpuDriverException or DllNotFoundException or EntryPointNotFoundException)
            {
                _metrics.CountNvmlError();
                LogSampleFailed(parent.Index, mig.Uuid, ex.Message);
                migReadings.Add(new MigReading(parent, mig, null));
            }
        }

        Volatile.Write(ref _snapshot, new GpuSnapshot(_time.GetUtcNow(), readings) { MigReadings = migReadings });
        Sampled?.Invoke();
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Sampling GPU {Index} ({Uuid}) failed: {Reason}")]
    private partial void LogSampleFailed(int index, string uuid, string reason);
}
