using System.Text.Json;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Remediation;

/// <summary>
/// The node's side: the node breaker (taint, Node Event, metric), the remediating annotation the cluster
/// breaker counts, and their removal once every GPU has been healthy for the recovery window; and the
/// evictions annotation, the eviction rate rail's memory. All live on the Node, so a restarted agent reads
/// them back at start.
/// </summary>
internal sealed partial class GpuRemediationService
{
    private static readonly NodeTaint DegradedTaint = new(RemediationNames.DegradedTaintKey, "true", "NoSchedule");

    private readonly Dictionary<string, DateTimeOffset> _faults = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<DateTimeOffset> _evictions = [];
    private bool _marksLoaded;
    private bool _degraded;
    private bool _tripPending;
    private bool _nodeAnnotated;
    private DateTimeOffset? _healthySince;

    private void RecordNodeFault(HealthTransition transition)
    {
        _faults[transition.Uuid] = transition.At;
        if (!_degraded && SafetyRails.NodeBreakerTrips(_faults.Values, transition.At, _options.NodeFaultWindow, _options.NodeFaultGpus))
        {
            // Noted at once so no eviction slips through before the taint is written.
            _tripPending = true;
        }
    }

    private async Task NodePassAsync(IKubernetesApi api, List<string> failures, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _evictions.RemoveAll(t => now - t >= SafetyRails.EvictionRateWindow);
        try
        {
            if (!_marksLoaded)
            {
                var marks = await api.GetNodeMarksAsync(_nodeName, cancellationToken).ConfigureAwait(false);
                _degraded = marks.Degraded;
                _nodeAnnotated = marks.Remediating is not null;
                _evictions.Clear();
                _evictions.AddRange(EvictionHistory.Parse(marks.Evictions, now, out var unparseable));
                if (unparseable.Count > 0)
                {
                    LogEvictionsUnparseable(_nodeName, RemediationNames.EvictionsAnnotation, unparseable.Count, string.Join(", ", unparseable.Take(5)));
                }

                _metrics.SetDegraded(_degraded);
                _marksLoaded = true;
            }

            if (_tripPending)
            {
                await TripNodeBreakerAsync(api, now, cancellationToken).ConfigureAwait(false);
            }

            await ClearWhenRecoveredAsync(api, now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failures.Add(ex.Message);
            LogNodeFailed(_nodeName, ex.Message);
        }
    }

    private async Task TripNodeBreakerAsync(IKubernetesApi api, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var failed = _faults.Count(f => now - f.Value < _options.NodeFaultWindow);
        var note = $"{failed} GPUs failed within {_options.NodeFaultWindow}: treated as a node fault. Nothing is evicted here; the node is tainted {DegradedTaint} until every GPU has been healthy for {_options.NodeRecoveryWindow}.";
        if (_options.DryRun)
        {
            LogDryRun("-", _nodeName, $"taint the node {DegradedTaint}");
            _metrics.Count("taint", "dry_run");

            // Remembered so dry-run evictions stop as real ones would; nothing was written.
            _degraded = true;
        }
        else
        {
            try
            {
                var node = await api.GetNodeAsync(_nodeName, cancellationToken).ConfigureAwait(false);
                if (NodeTaintMerge.Compute(node.Taints, [DegradedTaint]) is { } taints)
                {
                    await api.PatchNodeAsync(_nodeName, NodePatchBuilder.Taints(taints, node.ResourceVersion), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Still pending: the next pass tries again (a 409 from a concurrent Node writer included).
                _metrics.Count("taint", "failed");
                throw;
            }

            _degraded = true;
            _metrics.Count("taint", "succeeded");
            _metrics.SetDegraded(true);
        }

        _tripPending = false;
        _metrics.CountRailTrip(SafetyRails.NodeBreaker);
        LogNodeDegraded(_nodeName, failed, _options.NodeFaultWindow);
        _nodeEvents.Publish(new NodeEvent(_nodeName, "Warning", RemediationNames.EventGpuNodeDegraded, "Taint", (_options.DryRun ? "Dry run: " : string.Empty) + note, now));
    }

    /// <summary>Sets the annotation the cluster breaker counts; the value names the GPU being remediated.</summary>
    private async Task MarkNodeRemediatingAsync(IKubernetesApi api, string gpuUuid, CancellationToken cancellationToken)
    {
        await api.PatchNodeAsync(_nodeName, AnnotationPatch(RemediationNames.NodeAnnotation, gpuUuid), cancellationToken).ConfigureAwait(false);
        _nodeAnnotated = true;
    }

    /// <summary>
    /// Counts the pod's eviction, on the Node first: written before the eviction call, an agent that dies right after
    /// evicting still counts it when it starts again. Once per pod: retries after a refusal (a PDB) are the same eviction.
    /// </summary>
    private async Task RecordEvictionAsync(IKubernetesApi api, PodRemediation pod, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (pod.EvictionRecordedAt is { } recorded && _evictions.Contains(recorded))
        {
            return;
        }

        var at = EvictionHistory.ToSecond(now);
        await api.PatchNodeAsync(_nodeName, AnnotationPatch(RemediationNames.EvictionsAnnotation, EvictionHistory.Format([.. _evictions, at], now)), cancellationToken).ConfigureAwait(false);
        _evictions.Add(at);
        pod.EvictionRecordedAt = at;
    }

    /// <summary>The evictions of this node the rate rail counts against <paramref name="pod"/>: all but its own, already recorded.</summary>
    private List<DateTimeOffset> EvictionsBefore(PodRemediation pod)
    {
        var others = new List<DateTimeOffset>(_evictions);
        if (pod.EvictionRecordedAt is { } own)
        {
            others.Remove(own);
        }

        return others;
    }

    private async Task ClearWhenRecoveredAsync(IKubernetesApi api, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_tracker.Snapshot().Any(g => g.State != GpuHealthState.Healthy))
        {
            _healthySince = null;
            return;
        }

        // A remediation still under way (one resumed after a restart) keeps the marks until it ends.
        _healthySince ??= now;
        if ((!_degraded && !_nodeAnnotated) || now - _healthySince.Value < _options.NodeRecoveryWindow || _pods.Values.Any(p => p.InFlight))
        {
            return;
        }

        if (_options.DryRun)
        {
            _degraded = false;
            _faults.Clear();
            return;
        }

        if (_degraded)
        {
            var node = await api.GetNodeAsync(_nodeName, cancellationToken).ConfigureAwait(false);
            var kept = node.Taints.Where(t => t.Key != DegradedTaint.Key).ToList();
            if (kept.Count != node.Taints.Count)
            {
                await api.PatchNodeAsync(_nodeName, NodePatchBuilder.Taints(kept, node.ResourceVersion), cancellationToken).ConfigureAwait(false);
            }

            _degraded = false;
            _metrics.Count("untaint", "succeeded");
            _metrics.SetDegraded(false);
        }

        if (_nodeAnnotated)
        {
            await api.PatchNodeAsync(_nodeName, AnnotationPatch(RemediationNames.NodeAnnotation, null), cancellationToken).ConfigureAwait(false);
            _nodeAnnotated = false;
        }

        _faults.Clear();
        LogNodeRecovered(_nodeName, _options.NodeRecoveryWindow);
    }

    /// <summary>
    /// The one way remediation writes its Node annotations, a merge patch of that key alone (others' annotations and
    /// the agent's labels and taints are left as they are): <c>{"metadata":{"annotations":{"raygpu.io/remediating":"GPU-…"}}}</c>; null removes it.
    /// </summary>
    private static string AnnotationPatch(string key, string? value)
    {
        var json = value is null ? "null" : $"\"{JsonEncodedText.Encode(value)}\"";
        return "{\"metadata\":{\"annotations\":{\"" + key + "\":" + json + "}}}";
    }
}
