namespace Platform.Sandbox.Kubelet;

/// <summary>One device as the kubelet last heard of it from ListAndWatch.</summary>
internal sealed record SimulatedDevice(string Resource, string Id, bool Healthy);
