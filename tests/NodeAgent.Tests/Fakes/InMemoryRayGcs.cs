using System.Collections.Concurrent;
using System.Threading.Channels;
using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>A DrainNode call the test double received.</summary>
internal sealed record DrainCall(string Address, string NodeId, string ReasonMessage, DateTimeOffset Deadline);

/// <summary>
/// An in-memory Ray GCS behind <see cref="IRayGcs"/>: Ray nodes by IP per address, a failure to answer
/// with, and drains that turn a node DRAINING (idle 0 until the test says the work finished).
/// </summary>
internal sealed class InMemoryRayGcs : IRayGcs
{
    private readonly ConcurrentDictionary<(string Address, string Ip), RayNodeState> _nodes = new();

    public Channel<DrainCall> Drains { get; } = Channel.CreateUnbounded<DrainCall>();

    public Channel<string> Lookups { get; } = Channel.CreateUnbounded<string>();

    /// <summary>Every call answers this failure (None: answer normally).</summary>
    public RayGcsFailure Failure { get; set; }

    /// <summary>Set: DrainNode is rejected with this reason.</summary>
    public string? RejectWith { get; set; }

    public void AddNode(string address, string ip, string nodeId, RayNodeStatus status = RayNodeStatus.Running) =>
        _nodes[(address, ip)] = new RayNodeState(nodeId, ip, status, 0);

    public void SetNode(string address, string ip, RayNodeStatus status, long idleMs) =>
        _nodes[(address, ip)] = _nodes[(address, ip)] with { Status = status, IdleDurationMs = idleMs };

    public Task<RayNodeLookup> FindNodeAsync(string address, string podIp, CancellationToken cancellationToken)
    {
        Lookups.Writer.TryWrite(address);
        if (Failure != RayGcsFailure.None)
        {
            return Task.FromResult(new RayNodeLookup(null, Failure, $"test failure {Failure}"));
        }

        return Task.FromResult(new RayNodeLookup(_nodes.GetValueOrDefault((address, podIp)), RayGcsFailure.None, null));
    }

    public Task<RayDrainReply> DrainNodeAsync(string address, string nodeId, string reasonMessage, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        Drains.Writer.TryWrite(new DrainCall(address, nodeId, reasonMessage, deadline));
        if (Failure != RayGcsFailure.None)
        {
            return Task.FromResult(new RayDrainReply(false, null, Failure, $"test failure {Failure}"));
        }

        if (RejectWith is { } reason)
        {
            return Task.FromResult(new RayDrainReply(false, reason, RayGcsFailure.None, null));
        }

        foreach (var (key, node) in _nodes)
        {
            if (key.Address == address && node.NodeId == nodeId && node.Status != RayNodeStatus.Dead)
            {
                _nodes[key] = node with { Status = RayNodeStatus.Draining };
            }
        }

        return Task.FromResult(new RayDrainReply(true, null, RayGcsFailure.None, null));
    }
}
