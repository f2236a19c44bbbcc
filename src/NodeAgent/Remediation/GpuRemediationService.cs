using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Remediation;

/// <summary>
/// Remediates the pods holding a GPU that failed: one loop takes health transitions, finds the holding pods
/// in the pod-resources attribution, and steps each pod's remediation (<see cref="RemediationDecider"/>)
/// through the Kubernetes API and the Ray GCS; it also runs the node breaker and clears the node's marks
/// once every GPU has been healthy long enough. One loop: one step per pod at a time, in order.
/// </summary>
internal sealed partial class GpuRemediationService : BackgroundService
{
    private readonly Channel<HealthTransition> _transitions = Channel.CreateUnbounded<HealthTransition>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(string Namespace, string Name), PodRemediation> _pods = [];
    private readonly HashSet<(string Namespace, string Name)> _seen = [];
    private readonly IKubernetesApi? _api;
    private readonly GpuHealthTracker _tracker;
    private readonly PodAttributionRefresher _attribution;
    private readonly IRayGcs _gcs;
    private readonly NodeEventPublisher _nodeEvents;
    private readonly RemediationMetrics _metrics;
    private readonly RemediationOptions _options;
    private readonly RemediationMode _mode;
    private readonly string _nodeName;
    private readonly TimeProvider _time;
    private readonly ILogger<GpuRemediationService> _logger;
    private readonly Lock _idleGate = new();
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _waiting;

    public GpuRemediationService(
        KubernetesConnection kubernetes,
        GpuHealthTracker tracker,
        PodAttributionRefresher attribution,
        IRayGcs gcs,
        NodeEventPublisher nodeEvents,
        AgentMetrics metrics,
        IOptions<RemediationOptions> options,
        IOptions<NodeOptions> node,
        TimeProvider time,
        ILogger<GpuRemediationService> logger)
    {
        _api = kubernetes.Api;
        _tracker = tracker;
        _attribution = attribution;
        _gcs = gcs;
        _nodeEvents = nodeEvents;
        _metrics = metrics.Remediation;
        _options = options.Value;
        _mode = _options.ParsedMode;
        _nodeName = node.Value.Name ?? string.Empty;
        _time = time;
        _logger = logger;
        Off = _mode == RemediationMode.Off
            ? "Remediation:Mode is Off"
            : _api is null ? "Kubernetes API access is off" : _nodeName.Length == 0 ? "the node name is unknown (NODE_NAME or Node:Name)" : null;
        if (Off is null)
        {
            // Under the tracker's lock: only enqueue.
            tracker.Subscribe(t => _transitions.Writer.TryWrite(t));
        }
    }

    /// <summary>Why remediation does nothing at all, or null when it runs.</summary>
    public string? Off { get; }

    /// <summary>Null while remediation works; otherwise what is broken (shown in /readyz).</summary>
    public string? Problem { get; private set; }

    /// <summary>
    /// Completes once the loop waits with nothing queued: every transition so far is handled and the next
    /// wake-up is armed (tests advance their clock after it).
    /// </summary>
    public Task Idle
    {
        get
        {
            lock (_idleGate)
            {
                return _waiting && !_transitions.Reader.TryPeek(out _) ? Task.CompletedTask : _idle.Task;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Off is not null)
        {
            if (_mode != RemediationMode.Off)
            {
                LogOff(Off);
            }

            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (_transitions.Reader.TryRead(out var transition))
                {
                    OnTransition(transition);
                }

                await PassAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A pass must never end the loop; the next one retries.
                Problem = ex.Message;
                LogPassFailed(ex.Message);
            }

            _metrics.SetInFlight(_pods.Values.Count(p => p.InFlight));
            if (!await WaitAsync(stoppingToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Waits for a transition or until the next step is due (the poll interval at most); false on shutdown.</summary>
    private async Task<bool> WaitAsync(CancellationToken stoppingToken)
    {
        var now = _time.GetUtcNow();
        var wait = _options.StatusPollInterval;
        foreach (var pod in _pods.Values)
        {
            if (pod.NextAt is { } next && next - now < wait)
            {
                wait = next - now;
            }
        }

        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = wait > TimeSpan.Zero ? Task.Delay(wait, _time, wake.Token) : Task.CompletedTask;
        var transition = _transitions.Reader.WaitToReadAsync(wake.Token).AsTask();
        lock (_idleGate)
        {
            _waiting = true;
            if (!_transitions.Reader.TryPeek(out _))
            {
                _idle.TrySetResult();
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        await Task.WhenAny(delay, transition).ConfigureAwait(false);
        lock (_idleGate)
        {
            _waiting = false;
        }

        await wake.CancelAsync().ConfigureAwait(false);
        return !stoppingToken.IsCancellationRequested;
    }

    private void OnTransition(HealthTransition transition)
    {
        if (transition.To == GpuHealthState.Healthy)
        {
            foreach (var pod in _pods.Values.Where(p => string.Equals(p.GpuUuid, transition.Uuid, StringComparison.OrdinalIgnoreCase)))
            {
                pod.GpuRecovered = true;
                pod.NextAt = transition.At;
            }

            return;
        }

        if (!RemediableFaults.IsRemediable(transition))
        {
            return;
        }

        RecordNodeFault(transition);
        var holders = _attribution.Attribution.GetValueOrDefault(transition.Uuid) ?? [];
        foreach (var key in holders.Select(p => (Namespace: p.Namespace, Name: p.Pod)).Distinct())
        {
            // One remediation per pod: a second GPU of the same pod failing changes nothing that is under way.
            if (_pods.TryGetValue(key, out var existing) && existing.InFlight)
            {
                _metrics.CountRailTrip(SafetyRails.PodInFlight);
                LogPodInFlight(key.Namespace, key.Name, transition.Uuid, existing.GpuUuid);
                continue;
            }

            _seen.Add(key);
            _pods[key] = new PodRemediation(key, _nodeName, transition.Uuid, transition.Reason, transition.Detail, transition.At, resumed: false) { NextAt = transition.At };
            LogFault(key.Namespace, key.Name, transition.Uuid, transition.Reason);
        }
    }

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var api = _api!;
        var failures = new List<string>();
        await NodePassAsync(api, failures, cancellationToken).ConfigureAwait(false);
        if (_mode >= RemediationMode.Drain)
        {
            AdoptResumable();
        }

        var now = _time.GetUtcNow();
        foreach (var pod in _pods.Values.Where(p => p.NextAt is { } next && next <= now).ToList())
        {
            try
            {
                await StepAsync(api, pod, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add(ex.Message);
                LogStepFailed(pod.Key.Namespace, pod.Key.Name, ex.Message);
                pod.NextAt = _time.GetUtcNow() + _options.StatusPollInterval;
            }
        }

        // Pods that left the node (deleted, evicted, finished) are forgotten once nothing is pending for them.
        var attributed = _attribution.Attribution.Values.SelectMany(p => p).Select(p => (p.Namespace, p.Pod)).ToHashSet();
        foreach (var key in _pods.Where(p => p.Value.NextAt is null && !attributed.Contains(p.Key)).Select(p => p.Key).ToList())
        {
            _pods.Remove(key);
        }

        _seen.IntersectWith(attributed);
        Problem = failures.Count == 0 ? _attribution.Problem : $"Kubernetes API calls failed: {failures[^1]}";
    }

    /// <summary>
    /// After a restart, a pod still holding a GPU may carry a remediation of ours under way: pick it up
    /// from its condition (read once per pod) so it is neither forgotten nor started again.
    /// </summary>
    private void AdoptResumable()
    {
        foreach (var (uuid, holders) in _attribution.Attribution)
        {
            foreach (var key in holders.Select(p => (Namespace: p.Namespace, Name: p.Pod)))
            {
                if (_seen.Add(key) && !_pods.ContainsKey(key))
                {
                    _pods[key] = new PodRemediation(key, _nodeName, uuid, string.Empty, string.Empty, _time.GetUtcNow(), resumed: true) { NextAt = _time.GetUtcNow() };
                }
            }
        }
    }
}
