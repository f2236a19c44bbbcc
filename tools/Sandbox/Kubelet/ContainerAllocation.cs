namespace Platform.Sandbox.Kubelet;

/// <summary>What one container got from the device plugin: the device ids and the Allocate answer's env, device nodes, mounts and CDI names.</summary>
internal sealed record ContainerAllocation(
    string Container,
    string Resource,
    IReadOnlyList<string> DeviceIds,
    IReadOnlyList<string> Preferred,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> DeviceNodes,
    IReadOnlyList<string> Mounts,
    IReadOnlyList<string> CdiDevices);
