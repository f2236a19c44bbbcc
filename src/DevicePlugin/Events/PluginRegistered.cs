namespace Platform.DevicePlugin.Events;

/// <summary>The kubelet accepted the registration. <paramref name="Trigger"/> is what began this registration
/// sequence: <c>start</c>, <c>kubelet-restart</c>, <c>socket-removed</c> or <c>periodic-check</c>; <paramref name="Attempt"/>
/// counts the tries since; <paramref name="SinceTrigger"/> is the time from the trigger to the kubelet's answer.</summary>
public sealed record PluginRegistered(string ResourceName, string Endpoint, int Attempt, string Trigger, TimeSpan SinceTrigger) : DevicePluginEvent(ResourceName);
