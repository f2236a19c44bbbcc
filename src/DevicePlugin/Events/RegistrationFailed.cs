namespace Platform.DevicePlugin.Events;

/// <summary>
/// A Register call failed (kubelet absent or rejecting); retried after <paramref name="RetryIn"/>.
/// <paramref name="KubeletAbsent"/>: there was no kubelet.sock at all (no kubelet on this node, or not yet).
/// </summary>
public sealed record RegistrationFailed(string ResourceName, int Attempt, string Error, TimeSpan RetryIn, bool KubeletAbsent = false) : DevicePluginEvent(ResourceName);
