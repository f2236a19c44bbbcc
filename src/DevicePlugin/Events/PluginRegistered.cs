namespace Platform.DevicePlugin.Events;

/// <summary>The kubelet accepted the registration. <paramref name="Trigger"/>: <c>start</c>, <c>kubelet-restart</c>,
/// <c>socket-removed</c>, <c>retry</c>, <c>periodic-check</c>.</summary>
public sealed record PluginRegistered(string ResourceName, string Endpoint, int Attempt, string Trigger, TimeSpan SinceTrigger) : DevicePluginEvent(ResourceName);
