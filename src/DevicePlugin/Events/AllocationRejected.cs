namespace Platform.DevicePlugin.Events;

/// <summary>An Allocate (or PreStartContainer) was refused; <paramref name="StatusCode"/> is the gRPC status name.</summary>
public sealed record AllocationRejected(string ResourceName, string? DeviceId, string StatusCode, string Message) : DevicePluginEvent(ResourceName);
