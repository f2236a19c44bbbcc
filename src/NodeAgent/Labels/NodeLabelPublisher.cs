using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Kubernetes;

namespace Platform.NodeAgent.Labels;

/// <summary>
/// Keeps the GPU labels (and the configured taints) on the agent's Node: reads the Node, patches only
/// what differs, and repeats every <see cref="LabelsOptions.ResyncInterval"/> to correct drift.
/// </summary>
internal sealed partial class NodeLabelPublisher : BackgroundService
{
    private static readonly IReadOnlySet<string> VolatileKeys = new HashSet<string>(StringComparer.Ordinal) { GpuLabels.Timestamp };

    private readonly IKubernetesApi? _api;
    private readonly string? _nodeName;
    private readonly SortedDictionary<string, string> _desired;
    private readonly IReadOnlyList<NodeTaint> _taints;
    private readonly bool _labelsEnabled;
    private readonly TimeSpan _resync;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeLabelPublisher> _logger;

    public NodeLabelPublisher(
        KubernetesConnection kubernetes,
        GpuRuntime gpu,
        GpuSharing sharing,
        IOptions<LabelsOptions> labels,
        IOptions<NodeOptions> node,
        TimeProvider time,
        ILogger<NodeLabelPublisher> logger,
        Gpu.Mig.MigPlan? mig = null)
    {
        _api = kubernetes.Api;
        _nodeName = node.Value.Name;
        _labelsEnabled = labels.Value.Enabled;
        _resync = labels.Value.ResyncInterval;
        _time = time;
        _logger = logger;
        _desired = GpuLabelBuilder.Build(gpu.Discovery, sharing, time.GetUtcNow());
        if (mig is not null)
        {
            MigLabelBuilder.Add(_desired, gpu.Discovery, mig);
        }

        // Taints belong on GPU nodes only: a node where discovery found nothing is left alone.
        _taints = gpu.Discovery.Devices.Count > 0 ? node.Value.ParsedTaints : [];
    }

    /// <summary>Null when labels are applied (or nothing is to be applied); otherwise why not (shown in /readyz).</summary>
    public string? Problem { get; private set; } = "the Node has not been patched yet";

    /// <summary>What the publisher does when all is well (shown in /readyz).</summary>
    public string Status { get; private set; } = "labels and taints applied";

    /// <summary>Completes after the first successful pass; tests and readiness wait on it.</summary>
    public Task FirstPass => _firstPass.Task;

    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_labelsEnabled && _taints.Count == 0)
        {
            Problem = null;
            Status = "Labels:Enabled is false and no Node:Taints are configured; nothing to apply";
            _firstPass.TrySetResult();
            return;
        }

        if (_api is null || string.IsNullOrEmpty(_nodeName))
        {
            Problem = _api is null
                ? "Kubernetes API access is off; Node labels and taints are not applied"
                : "the node name is unknown; set NODE_NAME from the downward API (spec.nodeName) or Node:Name";
            if (_api is not null)
            {
                // Without API access the connection has already said so, once, for every Kubernetes feature.
                LogOff(Problem);
            }
            _firstPass.TrySetResult();
            return;
        }

        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await SyncAsync(_api, _nodeName, stoppingToken).ConfigureAwait(false);
                Problem = null;
                _firstPass.TrySetResult();
                backoff = TimeSpan.FromSeconds(1);
                wait = _resync;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Problem = $"patching Node {_nodeName} failed: {ex.Message}";
                LogSyncFailed(_nodeName, backoff, ex.Message);
                wait = backoff;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _resync.Ticks));
            }

            try
            {
                await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task SyncAsync(IKubernetesApi api, string nodeName, CancellationToken cancellationToken)
    {
        var node = await api.GetNodeAsync(nodeName, cancellationToken).ConfigureAwait(false);
        if (_labelsEnabled)
        {
            var diff = NodeLabelDiff.Compute(node.Labels, _desired, GpuLabels.IsOwned, VolatileKeys);
            if (diff.Count > 0)
            {
                await api.PatchNodeAsync(nodeName, NodePatchBuilder.Labels(diff), cancellationToken).ConfigureAwait(false);
                LogLabelsPatched(nodeName, diff.Count(p => p.Value is not null), diff.Count(p => p.Value is null));
            }
        }

        if (NodeTaintMerge.Compute(node.Taints, _taints) is { } taints)
        {
            await api.PatchNodeAsync(nodeName, NodePatchBuilder.Taints(taints, node.ResourceVersion), cancellationToken).ConfigureAwait(false);
            LogTaintsPatched(nodeName, string.Join(", ", _taints));
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Node {NodeName}: set {SetCount} GPU labels, removed {RemovedCount}.")]
    private partial void LogLabelsPatched(string nodeName, int setCount, int removedCount);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Node {NodeName}: taints {Taints} applied.")]
    private partial void LogTaintsPatched(string nodeName, string taints);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Patching Node {NodeName} failed; retrying in {Backoff}: {Reason}")]
    private partial void LogSyncFailed(string nodeName, TimeSpan backoff, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Node labels and taints are off: {Reason}.")]
    private partial void LogOff(string reason);
}
