using System.Collections.Concurrent;
using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>
/// The agent's real <see cref="IRayGcs"/> with every address sent to one fake GCS instead: a cluster's
/// head service (<c>rc-head-svc.ml.svc:6379</c>) does not resolve here. The addresses the agent asked for
/// are kept, so tests still see the template at work.
/// </summary>
internal sealed class RedirectedRayGcs(IRayGcs inner, Func<string> target) : IRayGcs
{
    public ConcurrentQueue<string> AskedFor { get; } = new();

    public Task<RayNodeLookup> FindNodeAsync(string address, string podIp, CancellationToken cancellationToken)
    {
        AskedFor.Enqueue(address);
        return inner.FindNodeAsync(target(), podIp, cancellationToken);
    }

    public Task<RayDrainReply> DrainNodeAsync(string address, string nodeId, string reasonMessage, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        AskedFor.Enqueue(address);
        return inner.DrainNodeAsync(target(), nodeId, reasonMessage, deadline, cancellationToken);
    }
}
