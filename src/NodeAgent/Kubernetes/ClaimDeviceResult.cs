namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// One <c>DeviceRequestAllocationResult</c>: which request of the claim got which device of which driver and
/// pool. <see cref="Request"/> is <c>request</c> or <c>request/subrequest</c> (prioritized lists).
/// </summary>
internal sealed record ClaimDeviceResult(string Request, string Driver, string Pool, string Device);
