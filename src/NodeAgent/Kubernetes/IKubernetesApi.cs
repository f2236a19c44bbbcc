using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>The Node as the agent needs it: its labels, taints and version for optimistic concurrency.</summary>
internal sealed record NodeState(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<NodeTaint> Taints, string? ResourceVersion);

/// <summary>An Event about the Node (events.k8s.io/v1): Warning when a GPU turns unhealthy, Normal when it recovers.</summary>
internal sealed record NodeEvent(string NodeName, string Type, string Reason, string Action, string Note, DateTimeOffset At);

/// <summary>
/// The few Kubernetes API calls the agent makes; the adapter is <see cref="KubernetesApi"/>, tests use a
/// loopback fake API server behind the same adapter.
/// </summary>
internal partial interface IKubernetesApi
{
    Task<NodeState> GetNodeAsync(string name, CancellationToken cancellationToken);

    /// <summary>JSON merge patch (RFC 7386) of the Node; a null label value deletes the key.</summary>
    Task PatchNodeAsync(string name, string mergePatchJson, CancellationToken cancellationToken);

    Task CreateNodeEventAsync(NodeEvent nodeEvent, CancellationToken cancellationToken);

    /// <summary>The pod's labels, or null when the pod no longer exists.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetPodLabelsAsync(string @namespace, string name, CancellationToken cancellationToken);
}
