namespace Platform.NodeAgent.Dra;

/// <summary>
/// Configuration section <c>Dra</c>: the agent as a Dynamic Resource Allocation driver (kubelet plugin and
/// ResourceSlices) instead of a device plugin. One of the two per node.
/// </summary>
internal sealed class DraOptions
{
    public const string Section = "Dra";

    /// <summary>Run the DRA driver. Default false (the device plugin serves the node).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The driver name in ResourceSlices, claims and DeviceClasses; a DNS subdomain. Default <c>gpu.raygpu.io</c>.
    /// </summary>
    public string DriverName { get; set; } = DefaultDriverName;

    /// <summary>
    /// Where the kubelet's plugin watcher looks for registration sockets. Default
    /// <c>/var/lib/kubelet/plugins_registry</c>.
    /// </summary>
    public string RegistryDirectory { get; set; } = "/var/lib/kubelet/plugins_registry";

    /// <summary>
    /// Where the DRA service socket and the prepared-claim records live. Default
    /// <c>/var/lib/kubelet/plugins/&lt;DriverName&gt;</c> (see <see cref="ResolvedPluginDirectory"/>).
    /// </summary>
    public string? PluginDirectory { get; set; }

    /// <summary>Where claim CDI specs are written for the container runtime. Default <c>/var/run/cdi</c>.</summary>
    public string CdiDirectory { get; set; } = "/var/run/cdi";

    /// <summary>
    /// Keep unhealthy devices in the slice with a <c>NoSchedule</c> taint (value: the XID or reason) instead
    /// of withdrawing them; needs the cluster's DeviceTaints feature. Default false.
    /// </summary>
    public bool DeviceTaints { get; set; }

    public const string DefaultDriverName = "gpu.raygpu.io";

    public string ResolvedPluginDirectory =>
        string.IsNullOrEmpty(PluginDirectory) ? $"/var/lib/kubelet/plugins/{DriverName}" : PluginDirectory;

    /// <summary>The registration socket the kubelet's plugin watcher finds.</summary>
    public string RegistrationSocketPath => Path.Combine(RegistryDirectory, $"{DriverName}-reg.sock");

    /// <summary>
    /// Where the registration socket is bound before it is renamed into place: the kubelet's plugin watcher
    /// ignores dot files, so it never dials a socket that is bound but not yet listening.
    /// </summary>
    public string RegistrationStagingSocketPath => Path.Combine(RegistryDirectory, $".{DriverName}-reg.sock");

    /// <summary>The DRA service socket, announced to the kubelet as an absolute path in GetInfo.</summary>
    public string PluginSocketPath => Path.Combine(ResolvedPluginDirectory, "dra.sock");
}
