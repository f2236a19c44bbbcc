namespace Platform.Sandbox.Kubelet;

/// <summary>
/// The kubelet's answer to a pod: admitted with each container's allocation, or rejected with the reason and
/// message the kubelet writes into the pod's status (<c>OutOfnvidia.com/gpu</c>, <c>UnexpectedAdmissionError</c>).
/// </summary>
internal sealed record PodAdmission(
    string Namespace,
    string Name,
    bool Admitted,
    string? Reason,
    string? Message,
    IReadOnlyList<ContainerAllocation> Allocations);
