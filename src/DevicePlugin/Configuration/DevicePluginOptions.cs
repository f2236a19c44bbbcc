namespace Platform.DevicePlugin.Configuration;

/// <summary>
/// Configuration section <c>DevicePlugin</c>. Every property is documented with its default in
/// docs/device-plugin.md; values are validated at start (<see cref="DevicePluginOptionsValidator"/>).
/// </summary>
public sealed class DevicePluginOptions
{
    public const string SectionName = "DevicePlugin";

    /// <summary>Serve the device plugin at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The kubelet's device-plugin directory (holds kubelet.sock and our socket). Default <c>/var/lib/kubelet/device-plugins</c>.</summary>
    public string KubeletDirectory { get; set; } = KubeletPaths.DevicePluginDirectory;

    /// <summary>Extended resource advertised for whole (and, without a shared name, shared) GPUs. Default <c>nvidia.com/gpu</c>.</summary>
    public string ResourceName { get; set; } = "nvidia.com/gpu";

    /// <summary>Socket file name for <see cref="ResourceName"/>. Default: derived, <c>nvidia.com/gpu</c> → <c>nvidia-gpu.sock</c> (NVIDIA's name).</summary>
    public string? SocketName { get; set; }

    /// <summary>Comma-separated Allocate response strategies: <c>envvar</c>, <c>device-specs</c>, <c>cdi</c>. Default <c>envvar</c>.</summary>
    public string AllocateStrategies { get; set; } = "envvar";

    /// <summary>How GPUs are named to the container (env var, CDI names): <c>uuid</c> or <c>index</c>. Default <c>uuid</c>.</summary>
    public string DeviceIdStrategy { get; set; } = "uuid";

    /// <summary>Environment variable the <c>envvar</c> strategy sets. Default <c>NVIDIA_VISIBLE_DEVICES</c>.</summary>
    public string VisibleDevicesEnvVar { get; set; } = "NVIDIA_VISIBLE_DEVICES";

    /// <summary>Extra environment variables added to every allocation, e.g. <c>CUDA_DEVICE_ORDER=PCI_BUS_ID</c>. Default none.</summary>
    public Dictionary<string, string> ExtraEnvironment { get; set; } = new(StringComparer.Ordinal);

    /// <summary>CDI device kind for the <c>cdi</c> strategy; devices are named <c>&lt;kind&gt;=&lt;id&gt;</c>. Default <c>nvidia.com/gpu</c>.</summary>
    public string CdiKind { get; set; } = "nvidia.com/gpu";

    /// <summary>Comma-separated control device nodes added by <c>device-specs</c> when present on the host.
    /// Default <c>/dev/nvidiactl,/dev/nvidia-uvm,/dev/nvidia-uvm-tools,/dev/nvidia-modeset</c>.</summary>
    public string ControlDeviceNodes { get; set; } = "/dev/nvidiactl,/dev/nvidia-uvm,/dev/nvidia-uvm-tools,/dev/nvidia-modeset";

    /// <summary>Where the host's root is visible to this process, for checking which device nodes exist
    /// (e.g. <c>/host</c> when the host root is mounted there). Default <c>/</c>.</summary>
    public string HostRoot { get; set; } = "/";

    /// <summary>Advertise and answer GetPreferredAllocation (topology- and replica-aware). Default true.</summary>
    public bool PreferredAllocation { get; set; } = true;

    /// <summary>Ask the kubelet to call PreStartContainer, which then re-checks that the container's GPUs are still
    /// known and healthy. Default false (PreStartContainer is a no-op and is not requested).</summary>
    public bool PreStartCheck { get; set; }

    /// <summary>First retry delay when registration fails (kubelet absent); doubles up to <see cref="RegistrationMaxBackoff"/>. Default 200 ms.</summary>
    public TimeSpan RegistrationInitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap of the registration retry delay. Default 10 s. A new kubelet.sock retries at once regardless.</summary>
    public TimeSpan RegistrationMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of one Register call (the kubelet dials back within it). Default 10 s.</summary>
    public TimeSpan RegistrationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Safety-net check of kubelet.sock and our sockets, in case a file-system event is missed. Default 1 s.</summary>
    public TimeSpan KubeletCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Window in which inventory changes are coalesced into one ListAndWatch message. Default 10 ms; 0 sends at once.</summary>
    public TimeSpan ListAndWatchCoalesce { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>GPU sharing (time-slicing replicas). Section <c>DevicePlugin:Sharing</c>.</summary>
    public SharingOptions Sharing { get; set; } = new();
}
