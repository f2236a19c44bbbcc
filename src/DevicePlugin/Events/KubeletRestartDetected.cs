namespace Platform.DevicePlugin.Events;

/// <summary>kubelet.sock was (re)created or our socket disappeared: the plugin re-listens and re-registers.</summary>
public sealed record KubeletRestartDetected(string ResourceName, string Reason) : DevicePluginEvent(ResourceName);
