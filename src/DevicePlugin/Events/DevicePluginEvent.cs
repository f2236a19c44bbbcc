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
