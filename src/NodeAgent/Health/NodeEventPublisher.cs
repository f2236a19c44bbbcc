using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Health;

/// <summary>
/// Emits every health transition as an Event on the Node (Warning GpuUnhealthy / Normal GpuHealthy), so
/// <c>kubectl describe node</c> shows why capacity changed, and whatever else the agent reports on its Node
/// through <see cref="Publish"/>. Bounded queue: a dead API server cannot grow memory.
/// </summary>
internal sealed partial class NodeEventPublisher : BackgroundService
{
    private readonly Channel<NodeEvent> _queue = Channel.CreateBounded<NodeEvent>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly IKubernetesApi? _api;
    private readonly string? _nodeName;
    private readonly ILogger<NodeEventPublisher> _logger;

    public NodeEventPublisher(KubernetesConnection kubernetes, GpuHealthTracker tracker, IOptions<NodeOptions> node, ILogger<NodeEventPublisher> logger)
    {
        _api = kubernetes.Api;
        _nodeName = node.Value.Name;
        _logger = logger;
        if (_api is not null && !string.IsNullOrEmpty(_nodeName))
        {
            tracker.Subscribe(t => Publish(ToEvent(_nodeName, t)));
        }
    }

    /// <summary>Queues an Event on this Node; dropped when there is no API access or no node name.</summary>
    public void Publish(NodeEvent nodeEvent)
    {
        if (_api is not null && !string.IsNullOrEmpty(_nodeName))
        {
            _queue.Writer.TryWrite(nodeEvent with { NodeName = _nodeName });
        }
    }

    /// <summary>The Node's name for events built elsewhere (empty when unknown: they are dropped anyway).</summary>
    public string NodeName => _nodeName ?? string.Empty;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_api is null || string.IsNullOrEmpty(_nodeName))
        {
            return;
        }

        try
        {
            await foreach (var nodeEvent in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await _api.CreateNodeEventAsync(nodeEvent, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogEventFailed(_nodeName, nodeEvent.Reason, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private static NodeEvent ToEvent(string nodeName, HealthTransition transition)
    {
        var unhealthy = transition.To == GpuHealthState.Unhealthy;
        return new NodeEvent(
            nodeName,
            unhealthy ? "Warning" : "Normal",
            unhealthy ? "GpuUnhealthy" : "GpuHealthy",
            "HealthCheck",
            $"GPU {transition.Index} ({transition.Uuid}): {transition.Reason}; {transition.Detail}.",
            transition.At);
    }

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Could not create the {Reason} Event on Node {NodeName}: {Error}")]
    private partial void LogEventFailed(string nodeName, string reason, string error);
}
