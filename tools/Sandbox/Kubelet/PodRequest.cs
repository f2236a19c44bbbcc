namespace Platform.Sandbox.Kubelet;

/// <summary>A pod as the kubelet admits it: per container, how many of each extended resource it asks for.</summary>
internal sealed record PodRequest(string Namespace, string Name, IReadOnlyList<ContainerRequest> Containers);

/// <summary>One container's extended-resource limits (kubelet allocates devices by limit).</summary>
internal sealed record ContainerRequest(string Name, IReadOnlyDictionary<string, int> Resources);
