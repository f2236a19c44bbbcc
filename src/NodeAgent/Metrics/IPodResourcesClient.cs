namespace Platform.NodeAgent.Metrics;

/// <summary>One container's devices of one resource, as the kubelet's pod-resources List reports them.</summary>
internal sealed record ContainerDevices(string Namespace, string Pod, string Container, string ResourceName, IReadOnlyList<string> DeviceIds);

/// <summary>The kubelet pod-resources API (v1 List), behind a seam so attribution logic is tested without gRPC.</summary>
internal interface IPodResourcesClient
{
    Task<IReadOnlyList<ContainerDevices>> ListAsync(CancellationToken cancellationToken);
}
