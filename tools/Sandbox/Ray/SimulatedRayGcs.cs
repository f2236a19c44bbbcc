using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Platform.Sandbox.Hosting;
using Ray.Rpc.Autoscaler;

namespace Platform.Sandbox.Ray;

/// <summary>
/// The GCS of the sandbox's Ray cluster: plaintext gRPC (h2c) on loopback, as Ray's GCS serves on the head's port
/// 6379 without TLS. Each Ray pod the sandbox runs is a Ray node known by the pod's IP. DrainNode behaves as Ray's:
/// a preemption drain is always accepted and turns the node DRAINING, an idle-termination drain of a busy node is
/// rejected, a drain of a dead or unknown node is accepted; the node turns DEAD when its raylet exits, which is
/// <see cref="RayletExitDelay"/> after the drain or at once when its pod goes.
/// </summary>
internal sealed class SimulatedRayGcs : IAsyncDisposable
{
    public const int NodeIdBytes = 28;

    private readonly Lock _gate = new();
    private readonly ChangeSignal _changed = new();
    private readonly List<RayNode> _nodes = [];
    private readonly List<RayDrain> _drains = [];
    private readonly List<ITimer> _raylets = [];
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private long _version;

    private SimulatedRayGcs(TimeProvider time, TimeSpan rayletExitDelay)
    {
        _time = time;
        RayletExitDelay = rayletExitDelay;
    }

    /// <summary>How long a drained node's raylet takes to finish its work and exit.</summary>
    public TimeSpan RayletExitDelay { get; }

    /// <summary><c>host:port</c>, the form of <c>Remediation:GcsAddress</c>.</summary>
    public string Address { get; private set; } = string.Empty;

    public static async Task<SimulatedRayGcs> StartAsync(TimeSpan rayletExitDelay, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var gcs = new SimulatedRayGcs(time ?? TimeProvider.System, rayletExitDelay);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(gcs);

        // HTTP/2 alone: a plaintext gRPC client speaks HTTP/2 with prior knowledge, with no upgrade to negotiate.
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<RayGcsService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        gcs._app = app;
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        gcs.Address = string.Create(CultureInfo.InvariantCulture, $"{url.Host}:{url.Port}");
        return gcs;
    }

    /// <summary>Ray's binary node id for a pod, stable across runs: the raylet of that pod.</summary>
    public static string NodeIdOf(string @namespace, string pod) =>
        Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes($"{@namespace}/{pod}")).AsSpan(0, NodeIdBytes));

    /// <summary>The pod's raylet registers with the GCS: a RUNNING node at the pod's IP.</summary>
    public RayNode Join(string @namespace, string pod, string ipAddress, string group, string nodeType, int gpus)
    {
        var node = new RayNode(NodeIdOf(@namespace, pod), ipAddress, @namespace, pod, group, nodeType, gpus, NodeStatus.Running, _time.GetUtcNow());
        lock (_gate)
        {
            _nodes.RemoveAll(n => n.NodeId == node.NodeId);
            _nodes.Add(node);
            _version++;
        }

        _changed.Signal();
        return node;
    }

    /// <summary>The pod at <paramref name="ipAddress"/> is gone: its raylet with it, so its node is DEAD (Ray keeps dead nodes listed).</summary>
    public void PodGone(string ipAddress) => Kill(n => n.IpAddress == ipAddress);

    public IReadOnlyList<RayNode> Nodes()
    {
        lock (_gate)
        {
            return [.. _nodes];
        }
    }

    /// <summary>Every DrainNode call, oldest first.</summary>
    public IReadOnlyList<RayDrain> Drains()
    {
        lock (_gate)
        {
            return [.. _drains];
        }
    }

    /// <summary>Completes once <paramref name="condition"/> holds, re-checked after every change of a node or a drain.</summary>
    /// <exception cref="TimeoutException">It did not; the message starts with <paramref name="what"/>.</exception>
    public Task WaitUntilAsync(Func<SimulatedRayGcs, bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken) =>
        _changed.WaitUntilAsync(() => condition(this), timeout, what, cancellationToken);

    internal GetClusterStatusReply Status()
    {
        var state = new ClusterResourceState { ClusterSessionName = "session_sandbox" };
        lock (_gate)
        {
            state.ClusterResourceStateVersion = _version;
            state.NodeStates.AddRange(_nodes.Select(ToState));
        }

        return new GetClusterStatusReply { ClusterResourceState = state };
    }

    internal (bool Accepted, string Rejection) Drain(string nodeId, DrainNodeReason reason, string reasonMessage, long deadlineTimestampMs)
    {
        bool accepted;
        string rejection;
        var startRaylet = false;
        RayNode? node;
        lock (_gate)
        {
            node = _nodes.FirstOrDefault(n => n.NodeId == nodeId);
            (accepted, rejection) = (node?.Status, reason) switch
            {
                // A node that is gone needs no drain: Ray accepts, and the caller goes on as if drained.
                (null or NodeStatus.Dead, _) => (true, string.Empty),
                (_, DrainNodeReason.Preemption) => (true, string.Empty),
                (NodeStatus.Idle, DrainNodeReason.IdleTermination) => (true, string.Empty),
                (_, DrainNodeReason.IdleTermination) => (false, "The node is not idle: it has running tasks or actors."),
                _ => (false, $"Drain reason {reason} is not one Ray acts on."),
            };

            if (accepted && node is { Status: not NodeStatus.Dead and not NodeStatus.Draining })
            {
                Replace(node, node with { Status = NodeStatus.Draining, Since = _time.GetUtcNow() });
                startRaylet = true;
            }

            _drains.Add(new RayDrain(nodeId, node, reason, reasonMessage, deadlineTimestampMs, accepted, rejection, _time.GetUtcNow()));
        }

        if (startRaylet)
        {
            // The drained raylet finishes what it runs and exits; its node is DEAD from then on. Once, however often the drain is repeated.
            var exit = _time.CreateTimer(_ => Kill(n => n.NodeId == nodeId), null, RayletExitDelay, Timeout.InfiniteTimeSpan);
            lock (_gate)
            {
                _raylets.Add(exit);
            }
        }

        _changed.Signal();
        return (accepted, rejection);
    }

    private void Kill(Func<RayNode, bool> which)
    {
        lock (_gate)
        {
            foreach (var node in _nodes.Where(n => which(n) && n.Status != NodeStatus.Dead).ToList())
            {
                Replace(node, node with { Status = NodeStatus.Dead, Since = _time.GetUtcNow() });
            }
        }

        _changed.Signal();
    }

    private void Replace(RayNode old, RayNode updated)
    {
        _nodes[_nodes.IndexOf(old)] = updated;
        _version++;
    }

    private static NodeState ToState(RayNode node)
    {
        var state = new NodeState
        {
            NodeId = ByteString.CopyFrom(Convert.FromHexString(node.NodeId)),
            // KubeRay starts each raylet with the pod's name as its instance id and the group as its node type.
            InstanceId = node.PodName,
            RayNodeTypeName = node.Group,
            NodeIpAddress = node.IpAddress,
            Status = node.Status,
            IdleDurationMs = 0,
        };
        state.TotalResources["CPU"] = 4;
        state.AvailableResources["CPU"] = node.Status == NodeStatus.Running ? 1 : 0;
        if (node.Gpus > 0)
        {
            state.TotalResources["GPU"] = node.Gpus;
            state.AvailableResources["GPU"] = 0;
        }

        state.Labels["ray.io/node-group"] = node.Group;
        if (node.Status is NodeStatus.Running or NodeStatus.Draining)
        {
            state.NodeActivity.Add("Busy workers on node.");
        }

        return state;
    }

    public async ValueTask DisposeAsync()
    {
        ITimer[] raylets;
        lock (_gate)
        {
            raylets = [.. _raylets];
            _raylets.Clear();
        }

        foreach (var raylet in raylets)
        {
            await raylet.DisposeAsync().ConfigureAwait(false);
        }

        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
