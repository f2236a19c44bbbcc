using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Platform.DevicePlugin.Transport;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Kubernetes;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// Keeps the GPU → pod attribution used by scrapes: re-lists pod resources after each allocation (a
/// short debounce later) and on <see cref="MetricsOptions.AttributionRefreshInterval"/>; reads each
/// pod's Ray labels from the API server once and caches them while the pod holds a GPU.
/// </summary>
internal sealed partial class PodAttributionRefresher : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);

    private readonly IPodResourcesClient? _client;
    private readonly IKubernetesApi? _api;
    private readonly HashSet<string> _uuids;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger<PodAttributionRefresher> _logger;
    private readonly Channel<bool> _triggers = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<(string Namespace, string Pod), IReadOnlyDictionary<string, string>?> _podLabels = new();
    private IReadOnlyDictionary<string, IReadOnlyList<PodRef>> _attribution = new Dictionary<string, IReadOnlyList<PodRef>>();
    private TaskCompletionSource _refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PodAttributionRefresher(IPodResourcesClient client, KubernetesConnection kubernetes, GpuRuntime gpu, IOptions<MetricsOptions> options, TimeProvider time, ILogger<PodAttributionRefresher> logger)
    {
        _client = options.Value.PodAttribution ? client : null;
        _api = kubernetes.Api;
        _uuids = new HashSet<string>(gpu.Discovery.Devices.Select(d => d.Uuid).Concat(gpu.Discovery.MigDevices.Select(m => m.Uuid)), StringComparer.OrdinalIgnoreCase);
        _interval = options.Value.AttributionRefreshInterval;
        _time = time;
        _logger = logger;
        Problem = _client is null ? "pod attribution is off (Metrics:PodAttribution=false)" : null;
    }

    public IReadOnlyDictionary<string, IReadOnlyList<PodRef>> Attribution => Volatile.Read(ref _attribution);

    /// <summary>Null while attribution works; otherwise why it does not (shown in /readyz).</summary>
    public string? Problem { get; private set; }

    /// <summary>Completes after the next successful refresh (tests wait on it instead of sleeping).</summary>
    public Task NextRefresh => Volatile.Read(ref _refreshed).Task;

    /// <summary>Asks for a refresh soon; called after every Allocate.</summary>
    public void Trigger() => _triggers.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_client is null || _uuids.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await RefreshAsync(_client, stoppingToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(_interval);
            try
            {
                await _triggers.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
                // Kubelet records the allocation right after Allocate returns; give it a moment.
                await Task.Delay(Debounce, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The periodic refresh is due.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task RefreshAsync(IPodResourcesClient client, CancellationToken cancellationToken)
    {
        try
        {
            var containers = await client.ListAsync(cancellationToken).ConfigureAwait(false);
            var holding = containers.Where(c => c.DeviceIds.Any(id => _uuids.Contains(PodAttributionBuilder.BaseUuid(id))))
                .Select(c => (c.Namespace, c.Pod)).ToHashSet();
            foreach (var key in _podLabels.Keys)
            {
                if (!holding.Contains(key))
                {
                    _podLabels.TryRemove(key, out _);
                }
            }

            foreach (var key in holding)
            {
                if (!_podLabels.ContainsKey(key)
                    && await ReadLabelsAsync(key.Namespace, key.Pod, cancellationToken).ConfigureAwait(false) is { } labels)
                {
                    _podLabels[key] = labels;
                }
            }

            Volatile.Write(ref _attribution, PodAttributionBuilder.Build(containers, _uuids, (ns, pod) => _podLabels.GetValueOrDefault((ns, pod))));
            Problem = null;
            Interlocked.Exchange(ref _refreshed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = RpcErrorText.Describe(ex);
            var problem = $"pod-resources List failed: {reason}";

            // Said when it starts or changes, not at every refresh (no kubelet on a laptop fails forever).
            if (problem != Problem)
            {
                LogRefreshFailed(reason);
            }

            Problem = problem;
        }
    }

    private async Task<IReadOnlyDictionary<string, string>?> ReadLabelsAsync(string @namespace, string pod, CancellationToken cancellationToken)
    {
        if (_api is null)
        {
            return null;
        }

        try
        {
            return await _api.GetPodLabelsAsync(@namespace, pod, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPodLabelsFailed(@namespace, pod, ex.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Pod attribution could not be refreshed: {Reason}")]
    private partial void LogRefreshFailed(string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Ray labels of pod {Namespace}/{Pod} could not be read: {Reason}")]
    private partial void LogPodLabelsFailed(string @namespace, string pod, string reason);
}
