namespace Platform.NodeAgent.Gpu;

/// <summary>Configuration section <c>Gpu</c>: which driver to use and where to find it.</summary>
internal sealed class GpuOptions
{
    public const string Section = "Gpu";

    /// <summary><c>auto</c> (NVML, else CUDA), <c>nvml</c>, <c>cuda</c> or <c>simulated</c>. Default auto.</summary>
    public string Driver { get; set; } = GpuDriverKinds.Auto;

    /// <summary>Where the host's driver libraries are mounted (the host root). Default <c>/</c>.</summary>
    public string DriverRoot { get; set; } = "/";

    /// <summary>Root of sysfs, for NUMA nodes. Default <c>/sys</c>.</summary>
    public string SysfsRoot { get; set; } = "/sys";

    /// <summary>Root of procfs, for <c>/proc/driver/nvidia</c> in CUDA mode. Default <c>/proc</c>.</summary>
    public string ProcRoot { get; set; } = "/proc";

    /// <summary>Exit at start when no driver can be opened, instead of running and advertising nothing. Default false.</summary>
    public bool FailOnInitError { get; set; }

    public SimulatedGpuOptions Simulated { get; set; } = new();
}

/// <summary>Configuration section <c>Gpu:Simulated</c>, used when <c>Gpu:Driver=simulated</c>.</summary>
internal sealed class SimulatedGpuOptions
{
    /// <summary>Number of GPUs. Default 2.</summary>
    public int Count { get; set; } = 2;

    /// <summary>Product name as NVML reports it. Default <c>NVIDIA A100-SXM4-40GB</c>.</summary>
    public string Product { get; set; } = "NVIDIA A100-SXM4-40GB";

    /// <summary>Memory per GPU in MiB. Default 40960.</summary>
    public long MemoryMiB { get; set; } = 40960;

    /// <summary>Compute capability <c>major.minor</c>. Default 8.0.</summary>
    public string ComputeCapability { get; set; } = "8.0";

    /// <summary>Connect every pair of GPUs with NVLink (else they share a host bridge). Default false.</summary>
    public bool NvLink { get; set; }

    /// <summary>Kernel driver version reported. Default 550.54.15.</summary>
    public string DriverVersion { get; set; } = "550.54.15";

    /// <summary>CUDA driver API version reported, <c>major.minor</c>. Default 12.4.</summary>
    public string CudaVersion { get; set; } = "12.4";

    /// <summary>
    /// Allow the simulated driver inside a Kubernetes cluster (a kind demo). The agent then logs a warning,
    /// labels the Node <c>raygpu.io/simulated=true</c>, and serves fault injection to loopback callers only.
    /// Default false: in a cluster the simulated driver is refused at start.
    /// </summary>
    public bool AllowInCluster { get; set; }

    /// <summary>
    /// Comma-separated MIG profiles instantiated on every simulated GPU, e.g. <c>1g.10gb,1g.10gb,3g.40gb</c>;
    /// needs a MIG-capable <see cref="Product"/> (A100, A30, H100, H200, ...). Default empty: MIG disabled.
    /// </summary>
    public string MigProfiles { get; set; } = string.Empty;
}

internal static class GpuDriverKinds
{
    public const string Auto = "auto";
    public const string Nvml = "nvml";
    public const string Cuda = "cuda";
    public const string Simulated = "simulated";

    public static readonly string[] All = [Auto, Nvml, Cuda, Simulated];
}
