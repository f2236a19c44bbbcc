namespace Platform.DevicePlugin.Events;

/// <summary>
/// Something the device plugin did or saw, for the node agent to turn into metrics and logs.
/// Delivered synchronously to every <see cref="IDevicePluginObserver"/>; see the derived records.
/// </summary>
/// <param name="ResourceName">The advertised resource concerned (e.g. <c>nvidia.com/gpu</c>).</param>
public abstract record DevicePluginEvent(string ResourceName)
{
    /// <summary>When it happened (from the injected <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Timestamp { get; init; }
}

/// <summary>The plugin's gRPC server listens on its socket and answered its own probe.</summary>
public sealed record PluginListening(string ResourceName, string SocketPath, TimeSpan StartDuration) : DevicePluginEvent(ResourceName);

/// <summary>The kubelet accepted the registration. <paramref name="Trigger"/>: <c>start</c>, <c>kubelet-restart</c>,
/// <c>socket-removed</c>, <c>retry</c>, <c>periodic-check</c>.</summary>
public sealed record PluginRegistered(string ResourceName, string Endpoint, int Attempt, string Trigger, TimeSpan SinceTrigger) : DevicePluginEvent(ResourceName);

/// <summary>A Register call failed (kubelet absent or rejecting); retried after <paramref name="RetryIn"/>.</summary>
public sealed record RegistrationFailed(string ResourceName, int Attempt, string Error, TimeSpan RetryIn) : DevicePluginEvent(ResourceName);

/// <summary>kubelet.sock was (re)created or our socket disappeared: the plugin re-listens and re-registers.</summary>
public sealed record KubeletRestartDetected(string ResourceName, string Reason) : DevicePluginEvent(ResourceName);

/// <summary>The kubelet opened a ListAndWatch stream.</summary>
public sealed record ListAndWatchOpened(string ResourceName, long StreamId, int ActiveStreams) : DevicePluginEvent(ResourceName);

/// <summary>A ListAndWatch stream ended (<paramref name="Reason"/>: <c>client-gone</c>, <c>plugin-stopping</c>, or an error).</summary>
public sealed record ListAndWatchClosed(string ResourceName, long StreamId, string Reason, int ActiveStreams) : DevicePluginEvent(ResourceName);

/// <summary>A complete device list was sent on a stream.</summary>
public sealed record DeviceListSent(string ResourceName, long StreamId, long InventoryVersion, int Healthy, int Unhealthy, TimeSpan BuildAndSendDuration) : DevicePluginEvent(ResourceName);

/// <summary>An Allocate succeeded for one container. <paramref name="VisibleDevices"/> is what the pod sees
/// (UUIDs or indexes per <c>DeviceIdStrategy</c>); <paramref name="PhysicalUuids"/> the GPUs behind the request.</summary>
public sealed record DevicesAllocated(
    string ResourceName,
    IReadOnlyList<string> RequestedIds,
    IReadOnlyList<string> PhysicalUuids,
    IReadOnlyList<string> VisibleDevices,
    TimeSpan Duration) : DevicePluginEvent(ResourceName);

/// <summary>An Allocate (or PreStartContainer) was refused; <paramref name="StatusCode"/> is the gRPC status name.</summary>
public sealed record AllocationRejected(string ResourceName, string? DeviceId, string StatusCode, string Message) : DevicePluginEvent(ResourceName);

/// <summary>GetPreferredAllocation answered; <paramref name="TopologyAligned"/> is false when topology was missing or could not be honoured.</summary>
public sealed record PreferredAllocationComputed(string ResourceName, IReadOnlyList<string> DeviceIds, bool TopologyAligned) : DevicePluginEvent(ResourceName);

/// <summary>An unexpected failure in <paramref name="Operation"/> (serving, registering, streaming); the plugin carries on.</summary>
public sealed record PluginError(string ResourceName, string Operation, Exception Exception) : DevicePluginEvent(ResourceName);

/// <summary>The plugin stopped serving the resource and removed its socket.</summary>
public sealed record PluginStopped(string ResourceName) : DevicePluginEvent(ResourceName);
