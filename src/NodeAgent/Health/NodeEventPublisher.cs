using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Health;

/// <summary>
/// Emits every health transition as an Event on the Node (Warning GpuUnhealthy / Normal GpuHealthy), so
/// <c>kubectl describe node</c> shows why capacity changed. Bounded queue: a dead API server cannot grow memory.
/// </summary>
internal sealed partial class NodeEventPublisher : BackgroundService
{
    private readonly Channel<HealthTransition> _queue = Channel.CreateBounded<HealthTransition>(
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
            tracker.Subscribe(t => _queue.Writer.TryWrite(t));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_api is null || string.IsNullOrEmpty(_nodeName))
        {
            return;
        }

        try
        {
            await foreach (var transition in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var unhealthy = transition.To == GpuHealthState.Unhealthy;
                var nodeEvent = new NodeEvent(
                    _nodeName,
                    unhealthy ? "Warning" : "Normal",
                    unhealthy ? "GpuUnhealthy" : "GpuHealthy",
                    "HealthCheck",
                    $"GPU {transition.Index} ({transition.Uuid}): {transition.Reason}; {transition.Detail}.",
                    transition.At);
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

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Could not create the {Reason} Event on Node {NodeName}: {Error}")]
    private partial void LogEventFailed(string nodeName, string reason, string error);
}
