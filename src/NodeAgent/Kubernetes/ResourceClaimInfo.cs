namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// The parts of a ResourceClaim a kubelet plugin reads: its identity and, once the scheduler allocated it,
/// every device result (<c>status.allocation.devices.results</c>). <see cref="Results"/> is null while the
/// claim is not allocated.
/// </summary>
internal sealed record ResourceClaimInfo(string Namespace, string Name, string Uid, IReadOnlyList<ClaimDeviceResult>? Results);
