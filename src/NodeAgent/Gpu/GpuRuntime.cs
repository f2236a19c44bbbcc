using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu.Native;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Startup;

namespace Platform.NodeAgent.Gpu;

/// <summary>
/// The opened driver and what it discovered at start. When no driver could be opened, <see cref="Driver"/>
/// is null, <see cref="Discovery"/> is empty and <see cref="InitError"/> says why (logs and /readyz).
/// </summary>
internal sealed partial class GpuRuntime : IDisposable
{
    private readonly ILogger<GpuRuntime> _logger;

    public GpuRuntime(IOptions<GpuOptions> options, TimeProvider time, ILogger<GpuRuntime> logger)
    {
        _logger = logger;
        var gpu = options.Value;
        try
        {
            Driver = Open(gpu, time);
            Discovery = Driver.Discover();
            LogDiscovered(Driver.Name, Discovery.Devices.Count, Discovery.DriverVersion, DriverVersion.FormatCuda(Discovery.CudaDriverVersion));
            foreach (var device in Discovery.Devices)
            {
                LogDevice(device.Index, device.Uuid, device.Name, device.MemoryMiB, device.PciBusId);
            }
        }
        catch (Exception ex) when (ex is GpuDriverException or DllNotFoundException or EntryPointNotFoundException)
        {
            Driver?.Dispose();
            Driver = null;
            Discovery = GpuDiscovery.Empty("none");
            InitError = ex.Message;
            if (gpu.FailOnInitError)
            {
                // Refused like a bad setting: Program prints the problem without a stack trace and exits 2.
                throw new AgentConfigurationException([$"No GPU driver could be opened and Gpu:FailOnInitError is true; set it to false to start without GPUs. The driver said: {ex.Message.ReplaceLineEndings(" ")}"]);
            }

            LogNoDriver(ex.Message);
        }
    }

    private GpuRuntime(IGpuDriver driver, GpuDiscovery discovery, ILogger<GpuRuntime> logger)
    {
        _logger = logger;
        Driver = driver;
        Discovery = discovery;
    }

    /// <summary>A runtime around an already opened driver and its discovery (composition in tests and benchmarks).</summary>
    internal static GpuRuntime Create(IGpuDriver driver, GpuDiscovery discovery, ILogger<GpuRuntime> logger) => new(driver, discovery, logger);

    public IGpuDriver? Driver { get; }

    public GpuDiscovery Discovery { get; }

    public string? InitError { get; }

    /// <summary>The simulator when <c>Gpu:Driver=simulated</c>; fault injection endpoints exist only then.</summary>
    public SimulatedGpuDriver? Simulator => Driver as SimulatedGpuDriver;

    private IGpuDriver Open(GpuOptions gpu, TimeProvider time)
    {
        switch (gpu.Driver.ToLowerInvariant())
        {
            case GpuDriverKinds.Simulated:
                return new SimulatedGpuDriver(gpu.Simulated, time);
            case GpuDriverKinds.Cuda:
                return CudaGpuDriver.Open(gpu.DriverRoot, gpu.SysfsRoot, gpu.ProcRoot);
            case GpuDriverKinds.Nvml:
                return NvmlGpuDriver.Open(gpu.DriverRoot, gpu.SysfsRoot, gpu.ProcRoot);
            default:
                try
                {
                    var nvml = NvmlGpuDriver.Open(gpu.DriverRoot, gpu.SysfsRoot, gpu.ProcRoot);
                    CrossCheckWithCuda(nvml, gpu);
                    return nvml;
                }
                catch (GpuDriverException nvmlError)
                {
                    LogFallingBackToCuda(nvmlError.Message);
                    try
                    {
                        return CudaGpuDriver.Open(gpu.DriverRoot, gpu.SysfsRoot, gpu.ProcRoot);
                    }
                    catch (GpuDriverException cudaError)
                    {
                        throw new GpuDriverException($"NVML: {nvmlError.Message} CUDA: {cudaError.Message}", cudaError);
                    }
                }
        }
    }

    /// <summary>In auto mode both views are read once; a disagreement is logged, NVML stays authoritative.</summary>
    private void CrossCheckWithCuda(NvmlGpuDriver nvml, GpuOptions gpu)
    {
        if (!NativeLibraryResolver.TryLoad(gpu.DriverRoot, CudaNative.Library, out var failure))
        {
            LogCrossCheckSkipped(failure);
            return;
        }

        try
        {
            var (_, cuda) = CudaDeviceReader.Read();
            foreach (var problem in GpuCrossCheck.Compare(nvml.Discover().Devices, cuda))
            {
                LogCrossCheckMismatch(problem);
            }
        }
        catch (GpuDriverException ex)
        {
            LogCrossCheckSkipped(ex.Message);
        }
    }

    public void Dispose() => Driver?.Dispose();

    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "GPU driver {Driver} found {Count} GPUs; driver {DriverVersion}, CUDA {CudaVersion}.")]
    private partial void LogDiscovered(string driver, int count, string driverVersion, string cudaVersion);

    [LoggerMessage(EventId = 151, Level = LogLevel.Information, Message = "GPU {Index}: {Uuid} {Name}, {MemoryMiB} MiB, PCI {PciBusId}.")]
    private partial void LogDevice(int index, string uuid, string name, long memoryMiB, string pciBusId);

    [LoggerMessage(EventId = 152, Level = LogLevel.Error, Message = "No GPU driver could be opened; the agent runs and advertises no GPUs: {Reason}")]
    private partial void LogNoDriver(string reason);

    [LoggerMessage(EventId = 153, Level = LogLevel.Warning, Message = "NVML could not be opened, trying the CUDA driver API: {Reason}")]
    private partial void LogFallingBackToCuda(string reason);

    [LoggerMessage(EventId = 154, Level = LogLevel.Warning, Message = "NVML and CUDA disagree: {Problem}")]
    private partial void LogCrossCheckMismatch(string problem);

    [LoggerMessage(EventId = 155, Level = LogLevel.Information, Message = "The NVML/CUDA cross-check was skipped: {Reason}")]
    private partial void LogCrossCheckSkipped(string reason);
}
