namespace Platform.DevicePlugin.Inventory;

/// <summary>
/// One physical GPU in the inventory. The node agent builds these from its own discovery (NVML);
/// the device plugin only advertises and allocates them.
/// </summary>
public sealed record GpuDevice
{
    /// <summary>GPU UUID (<c>GPU-…</c>); the device ID advertised to the kubelet. At most 58 characters
    /// so that replica IDs (<c>&lt;uuid&gt;::&lt;n&gt;</c>) stay within the kubelet's 63.</summary>
    public required string Uuid { get; init; }

    /// <summary>GPU index as the driver numbers it (nvidia-smi); used by <c>DeviceIdStrategy=index</c> and sharing overrides.</summary>
    public required int Index { get; init; }

    /// <summary>Healthy or Unhealthy; unhealthy devices stay advertised (capacity) but are not allocatable.</summary>
    public DeviceHealth Health { get; init; } = DeviceHealth.Healthy;

    /// <summary>Why the device is unhealthy (e.g. "XID 79: GPU has fallen off the bus"); shown in Allocate errors and events.</summary>
    public string? HealthReason { get; init; }

    /// <summary>NUMA node of the GPU's PCIe root, or null when unknown (no topology hint is sent then).</summary>
    public int? NumaNode { get; init; }

    /// <summary>Product name (e.g. "NVIDIA A100-SXM4-80GB"), matched by per-product sharing overrides.</summary>
    public string? ProductName { get; init; }

    /// <summary>PCI bus ID (e.g. "00000000:3B:00.0"), informational.</summary>
    public string? PciBusId { get; init; }

    /// <summary>Host device nodes of this GPU (e.g. "/dev/nvidia3", from the NVML minor number). Empty means
    /// <c>/dev/nvidia{Index}</c>. Used by the <c>device-specs</c> allocate strategy.</summary>
    public IReadOnlyList<string> DeviceNodes { get; init; } = [];

    /// <summary>The device nodes to expose: <see cref="DeviceNodes"/> or the conventional <c>/dev/nvidia{Index}</c>.</summary>
    public IReadOnlyList<string> EffectiveDeviceNodes =>
        DeviceNodes.Count > 0 ? DeviceNodes : [$"/dev/nvidia{Index}"];

    public bool IsHealthy => Health == DeviceHealth.Healthy;

    /// <summary>The resource this device is advertised under when it is not one of the configured ones
    /// (a MIG profile's <c>nvidia.com/mig-1g.10gb</c>); the plugin serves and registers one such resource
    /// per distinct name, on its own socket. Null (default): the configured resource(s).</summary>
    public string? ResourceName { get; init; }

    /// <summary>How the device is named under <c>DeviceIdStrategy=index</c> when that is not <see cref="Index"/>
    /// (a MIG device is <c>&lt;gpu&gt;:&lt;mig&gt;</c>, as nvidia-container-runtime expects). Null: the index.</summary>
    public string? IndexName { get; init; }
}
