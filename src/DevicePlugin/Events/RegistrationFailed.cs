namespace Platform.DevicePlugin.Events;

/// <summary>A Register call failed (kubelet absent or rejecting); retried after <paramref name="RetryIn"/>.</summary>
public sealed record RegistrationFailed(string ResourceName, int Attempt, string Error, TimeSpan RetryIn) : DevicePluginEvent(ResourceName);
