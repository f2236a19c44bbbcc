namespace Platform.NodeAgent.Remediation;

/// <summary>
/// The GCS port when no Ray client is registered: every call answers <see cref="RayGcsFailure.Unreachable"/>,
/// so drains are reported as failed and evict mode falls back to eviction after the drain timeout.
/// </summary>
internal sealed class NoRayGcs : IRayGcs
{
    public Task<RayNodeLookup> FindNodeAsync(string address, string podIp, CancellationToken cancellationToken) =>
        Task.FromResult(new RayNodeLookup(null, RayGcsFailure.Unreachable, "no Ray GCS client is built into this agent"));

    public Task<RayDrainReply> DrainNodeAsync(string address, string nodeId, string reasonMessage, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        Task.FromResult(new RayDrainReply(false, null, RayGcsFailure.Unreachable, "no Ray GCS client is built into this agent"));
}
