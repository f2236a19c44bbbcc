using Platform.NodeAgent.Kubernetes;

namespace Platform.NodeAgent.Remediation;

/// <summary>One pod's steps: read it, decide, act, write the stage down before acting on it.</summary>
internal sealed partial class GpuRemediationService
{
    private const string Warning = "Warning";
    private const string Normal = "Normal";

    private async Task StepAsync(IKubernetesApi api, PodRemediation pod, CancellationToken cancellationToken)
    {
        var read = await api.GetPodAsync(pod.Key.Namespace, pod.Key.Name, cancellationToken).ConfigureAwait(false);
        if (read is null || read.Deleting)
        {
            // Gone or going (evicted, deleted, replaced): nothing left to do, and nothing to do twice.
            _pods.Remove(pod.Key);
            return;
        }

        if (!string.Equals(read.NodeName, _nodeName, StringComparison.Ordinal))
        {
            // The Eviction API cannot be confined to this node by any admission policy: this check is the confinement.
            LogNotOnThisNode(pod.Key.Namespace, pod.Key.Name, read.NodeName ?? "(none)", _nodeName);
            _pods.Remove(pod.Key);
            return;
        }

        if (!pod.Loaded && !await LoadAsync(api, pod, read, cancellationToken).ConfigureAwait(false))
        {
            _pods.Remove(pod.Key);
            return;
        }

        pod.Uid = read.Uid;
        pod.PodIp = read.PodIp;

        // A few decisions in a row (annotate, then ask for the drain); waiting steps return.
        for (var round = 0; round < 4; round++)
        {
            var now = _time.GetUtcNow();
            var step = RemediationDecider.Next(new RemediationFacts(
                pod.Stage, pod.Mode, pod.Kind == RayPodKind.Worker, pod.GpuRecovered, pod.Start, now, _options.DrainTimeout, pod.Drain, pod.RayNode));
            switch (step.Action)
            {
                case RemediationAction.Annotate:
                    await AnnotateAsync(api, pod, now, cancellationToken).ConfigureAwait(false);
                    continue;
                case RemediationAction.RequestDrain:
                    await RequestDrainAsync(api, pod, now, cancellationToken).ConfigureAwait(false);
                    pod.NextAt = Earlier(now + _options.StatusPollInterval, pod.Start + _options.DrainTimeout);
                    if (pod.Drain == DrainProgress.Accepted)
                    {
                        continue;
                    }

                    return;
                case RemediationAction.AwaitDrain:
                    if (pod.Drain == DrainProgress.Accepted && !_options.DryRun && pod.PodIp is { Length: > 0 } ip)
                    {
                        pod.RayNode = await FindRayNodeAsync(pod, ip, cancellationToken).ConfigureAwait(false);
                        if (RemediationDecider.Drained(pod.RayNode))
                        {
                            continue;
                        }
                    }

                    pod.NextAt = Earlier(now + _options.StatusPollInterval, pod.Start + _options.DrainTimeout);
                    return;
                case RemediationAction.Evict:
                    await EvictAsync(api, pod, step.Why, now, cancellationToken).ConfigureAwait(false);
                    return;
                case RemediationAction.Cancel:
                    await CancelAsync(api, pod, now, cancellationToken).ConfigureAwait(false);
                    return;
                default:
                    pod.NextAt = null;
                    if (pod.Stage == RemediationStage.None)
                    {
                        _pods.Remove(pod.Key);
                    }

                    return;
            }
        }
    }

    /// <summary>Reads what decides the pod's mode, and the stage its condition records. False: not ours to act on.</summary>
    private async Task<bool> LoadAsync(IKubernetesApi api, PodRemediation pod, RemediationPod read, CancellationToken cancellationToken)
    {
        // Only a drain or an eviction is resumed: an annotated pod's GPU may have been reset while the agent was
        // down, and a fresh agent cannot tell (its GPUs start healthy), so it never escalates an old annotation.
        var stage = read.GpuCondition is { Status: "False" } condition ? RemediationStages.FromReason(condition.Reason) : RemediationStage.None;
        var underWay = stage is RemediationStage.Draining or RemediationStage.Evicting;
        if (pod.Resumed && !underWay)
        {
            return false;
        }

        if (underWay)
        {
            pod.Stage = stage;
            pod.Start = read.GpuCondition!.LastTransitionTime ?? pod.FaultAt;
            pod.FaultAt = pod.Start;
            pod.GpuUuid = RemediationMessages.GpuOf(read.GpuCondition.Message) ?? pod.GpuUuid;
            if (pod.FaultReason.Length == 0)
            {
                pod.FaultReason = "fault before the agent restarted";
                pod.FaultDetail = read.GpuCondition.Message ?? string.Empty;
            }

            LogResumed(pod.Key.Namespace, pod.Key.Name, RemediationStages.Reason(stage), pod.GpuUuid);
        }

        pod.Kind = RemediationModes.Classify(read.Labels);
        pod.RayCluster = read.Labels.GetValueOrDefault(RemediationNames.RayClusterLabel) ?? string.Empty;
        var namespaceLabels = await api.GetNamespaceLabelsAsync(pod.Key.Namespace, cancellationToken).ConfigureAwait(false);
        pod.Mode = RemediationModes.For(_mode, _options.EvictNonRayPods, pod.Kind, namespaceLabels?.GetValueOrDefault(RemediationNames.NamespaceLabel));
        pod.RetryDelay = _options.EvictionRetryInitial;
        pod.Loaded = true;
        return true;
    }

    private async Task AnnotateAsync(IKubernetesApi api, PodRemediation pod, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var message = RemediationMessages.Fault(pod.GpuUuid, _nodeName, pod.FaultReason, pod.FaultDetail);
        if (_options.DryRun)
        {
            LogDryRun(pod.Key.Namespace, pod.Key.Name, "mark the pod GPUHealthy=False");
            await api.CreatePodEventAsync(pod.Event(Warning, RemediationNames.EventGpuFault, "Annotate", $"Dry run: {message}", now), cancellationToken).ConfigureAwait(false);
            _metrics.Count("annotate", "dry_run");
            pod.Stage = RemediationStage.Annotated;
            return;
        }

        if (pod.Mode >= RemediationMode.Drain)
        {
            await MarkNodeRemediatingAsync(api, pod.GpuUuid, cancellationToken).ConfigureAwait(false);
        }

        // A worker to drain goes straight to the Draining stage and its Event waits until Ray was asked: the
        // time from the fault to DrainNode is what lets work move before the pod goes, so nothing else comes first.
        var drainNext = pod.Mode >= RemediationMode.Drain && pod.Kind == RayPodKind.Worker;
        try
        {
            await SetStageAsync(api, pod, drainNext ? RemediationStage.Draining : RemediationStage.Annotated, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _metrics.Count("annotate", "failed");
            throw;
        }

        pod.PendingEvent = pod.Event(Warning, RemediationNames.EventGpuFault, "Annotate", $"{message} Remediation mode: {pod.Mode}.", now);
        if (!drainNext)
        {
            await FlushPendingEventAsync(api, pod, cancellationToken).ConfigureAwait(false);
        }

        _metrics.Count("annotate", "succeeded");
        LogAnnotated(pod.Key.Namespace, pod.Key.Name, pod.GpuUuid, pod.FaultReason, pod.Mode.ToString());
    }

    private async Task RequestDrainAsync(IKubernetesApi api, PodRemediation pod, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var address = _options.GcsAddressFor(pod.RayCluster, pod.Key.Namespace);
        var deadline = pod.Start + _options.DrainTimeout;
        if (_options.DryRun)
        {
            LogDryRun(pod.Key.Namespace, pod.Key.Name, $"ask Ray at {address} to drain the pod's node");
            await api.CreatePodEventAsync(pod.Event(Normal, RemediationNames.EventRayDrainRequested, "Drain", $"Dry run: would ask Ray ({address}) to drain this worker's node.", now), cancellationToken).ConfigureAwait(false);
            _metrics.Count("drain", "dry_run");
            pod.Stage = RemediationStage.Draining;
            pod.Drain = DrainProgress.Accepted;
            pod.RayNode = new RayNodeLookup(null, RayGcsFailure.None, "dry run");
            return;
        }

        if (pod.Stage != RemediationStage.Draining)
        {
            // Written before Ray is asked: a restart from here on resumes the drain, it never starts over.
            await SetStageAsync(api, pod, RemediationStage.Draining, RemediationMessages.Fault(pod.GpuUuid, _nodeName, pod.FaultReason, pod.FaultDetail), cancellationToken).ConfigureAwait(false);
        }

        string failure;
        if (pod.PodIp is not { Length: > 0 } ip)
        {
            failure = "the pod has no IP, so its Ray node cannot be found";
            pod.Drain = DrainProgress.FailedFinal;
        }
        else
        {
            var lookup = await FindRayNodeAsync(pod, ip, cancellationToken).ConfigureAwait(false);
            if (lookup.Failure != RayGcsFailure.None || lookup.Node is null)
            {
                failure = lookup.Failure == RayGcsFailure.None ? $"no Ray node at {address} has the pod's IP {ip}" : Describe(lookup.Failure, lookup.Message);
                pod.Drain = lookup.Failure is RayGcsFailure.Unreachable or RayGcsFailure.Error ? DrainProgress.FailedRetryable : DrainProgress.FailedFinal;
            }
            else
            {
                RayDrainReply reply;
                try
                {
                    reply = await _gcs.DrainNodeAsync(address, lookup.Node.NodeId, RemediationMessages.DrainReason(pod.GpuUuid, pod.FaultReason), deadline, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    reply = new RayDrainReply(false, null, RayGcsFailure.Error, ex.Message);
                }

                if (reply.Accepted)
                {
                    pod.Drain = DrainProgress.Accepted;
                    pod.RayNode = null;
                    _metrics.Count("drain", "succeeded");
                    _metrics.ObserveDrain(now - pod.FaultAt);
                    LogDrainRequested(pod.Key.Namespace, pod.Key.Name, lookup.Node.NodeId, address, deadline);
                    await FlushPendingEventAsync(api, pod, cancellationToken).ConfigureAwait(false);
                    await api.CreatePodEventAsync(pod.Event(Normal, RemediationNames.EventRayDrainRequested, "Drain",
                        $"Ray ({address}) accepted to drain node {lookup.Node.NodeId} (this pod, {ip}) by {deadline:u}: GPU {pod.GpuUuid} failed ({pod.FaultReason}).", now), cancellationToken).ConfigureAwait(false);
                    return;
                }

                failure = reply.Failure == RayGcsFailure.None ? $"Ray rejected the drain: {reply.RejectionReason}" : Describe(reply.Failure, reply.Message);
                pod.Drain = reply.Failure is RayGcsFailure.Unreachable or RayGcsFailure.Error ? DrainProgress.FailedRetryable : DrainProgress.FailedFinal;
            }
        }

        await FlushPendingEventAsync(api, pod, cancellationToken).ConfigureAwait(false);
        if (!pod.DrainFailureReported)
        {
            // Said once; the mode falls back to eviction after the drain timeout, never to silence.
            pod.DrainFailureReported = true;
            _metrics.Count("drain", "failed");
            LogDrainFailed(pod.Key.Namespace, pod.Key.Name, address, failure);
            var fallback = pod.Mode == RemediationMode.Evict ? $" The pod is evicted at {deadline:u} unless the GPU recovers first." : string.Empty;
            await api.CreatePodEventAsync(pod.Event(Warning, RemediationNames.EventRayDrainFailed, "Drain", $"Ray ({address}) could not be asked to drain this worker: {failure}.{fallback}", now), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<RayNodeLookup> FindRayNodeAsync(PodRemediation pod, string ip, CancellationToken cancellationToken)
    {
        try
        {
            return await _gcs.FindNodeAsync(_options.GcsAddressFor(pod.RayCluster, pod.Key.Namespace), ip, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new RayNodeLookup(null, RayGcsFailure.Error, ex.Message);
        }
    }

    private async Task EvictAsync(IKubernetesApi api, PodRemediation pod, string why, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_marksLoaded)
        {
            // The rate rail counts the evictions read back from the Node at start: unread, it could not stop anything.
            throw new InvalidOperationException($"node {_nodeName}'s remediation marks and {RemediationNames.EvictionsAnnotation} annotation are not read yet; no eviction before they are");
        }

        if (SafetyRails.BeforeEviction(_degraded || _tripPending, EvictionsBefore(pod), now, _options.MaxEvictionsPerNodePerHour) is { } rail)
        {
            await StopAsync(api, pod, rail, rail == SafetyRails.NodeBreaker
                ? $"node {_nodeName} is degraded ({_options.NodeFaultGpus} or more GPUs failed within {_options.NodeFaultWindow}): a node fault, not a GPU fault"
                : $"this node already evicted {_options.MaxEvictionsPerNodePerHour} pods within the last hour", now, cancellationToken).ConfigureAwait(false);
            return;
        }

        var nodes = await api.ListNodeMarksAsync(_options.GpuNodeSelector, cancellationToken).ConfigureAwait(false);
        var (affected, gpuNodes) = SafetyRails.CountDisrupted(nodes, _nodeName);
        if (SafetyRails.ClusterBreakerTrips(affected, gpuNodes, _options.MaxDisruptedNodeFraction, _options.MinDisruptedNodes))
        {
            await StopAsync(api, pod, SafetyRails.ClusterBreaker,
                $"{affected} of {gpuNodes} GPU nodes are remediating or degraded, more than {_options.MaxDisruptedNodeFraction:P0} (at least {_options.MinDisruptedNodes}): a mass failure is usually a driver rollout or the fabric", now, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_options.DryRun)
        {
            LogDryRun(pod.Key.Namespace, pod.Key.Name, $"evict the pod ({why})");
            await api.CreatePodEventAsync(pod.Event(Warning, RemediationNames.EventGpuEvicting, "Evict", $"Dry run: would evict this pod: {why}.", now), cancellationToken).ConfigureAwait(false);
            _metrics.Count("evict", "dry_run");
            pod.Stage = RemediationStage.Evicting;
            pod.NextAt = null;
            return;
        }

        if (pod.Stage != RemediationStage.Evicting)
        {
            // Written before the eviction: a restart resumes it rather than deciding again.
            await SetStageAsync(api, pod, RemediationStage.Evicting, RemediationMessages.Fault(pod.GpuUuid, _nodeName, pod.FaultReason, pod.FaultDetail), cancellationToken).ConfigureAwait(false);
        }

        if (!pod.EvictionAnnounced)
        {
            pod.EvictionAnnounced = true;
            LogEvicting(pod.Key.Namespace, pod.Key.Name, why);
            await api.CreatePodEventAsync(pod.Event(Warning, RemediationNames.EventGpuEvicting, "Evict", $"Evicting this pod: GPU {pod.GpuUuid} failed ({pod.FaultReason}); {why}.", now), cancellationToken).ConfigureAwait(false);
        }

        EvictionResult result;
        try
        {
            // Counted on the Node first: when that write fails, nothing is evicted this round, so an API hiccup
            // never lets an eviction past the rate rail.
            await RecordEvictionAsync(api, pod, now, cancellationToken).ConfigureAwait(false);
            result = await api.EvictPodAsync(pod.Key.Namespace, pod.Key.Name, pod.Uid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Retried at the next pass, like any failed step.
            _metrics.Count("evict", "failed");
            throw;
        }

        switch (result.Outcome)
        {
            case EvictionOutcome.Evicted:
                _metrics.Count("evict", "succeeded");
                _metrics.ObserveEviction(_time.GetUtcNow() - pod.FaultAt);
                LogEvicted(pod.Key.Namespace, pod.Key.Name, pod.GpuUuid);
                _pods.Remove(pod.Key);
                return;
            case EvictionOutcome.Gone:
                _pods.Remove(pod.Key);
                return;
            default:
                _metrics.Count("evict", "refused");
                LogEvictionRefused(pod.Key.Namespace, pod.Key.Name, pod.RetryDelay, result.Message ?? "429");
                await api.CreatePodEventAsync(pod.Event(Warning, RemediationNames.EventEvictionRefused, "Evict",
                    $"The eviction was refused (a PodDisruptionBudget forbids it now); retrying in {pod.RetryDelay}: {result.Message}", now), cancellationToken).ConfigureAwait(false);
                pod.NextAt = now + pod.RetryDelay;
                pod.RetryDelay = TimeSpan.FromTicks(Math.Min(pod.RetryDelay.Ticks * 2, _options.EvictionRetryMax.Ticks));
                return;
        }
    }

    private async Task StopAsync(IKubernetesApi api, PodRemediation pod, string rail, string detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        _metrics.CountRailTrip(rail);
        _metrics.Count("evict", "stopped");
        LogStopped(pod.Key.Namespace, pod.Key.Name, rail, detail);
        if (!_options.DryRun)
        {
            await SetStageAsync(api, pod, RemediationStage.Stopped, $"{RemediationMessages.Fault(pod.GpuUuid, _nodeName, pod.FaultReason, pod.FaultDetail)} Stopped by {rail}: {detail}.", cancellationToken).ConfigureAwait(false);
        }

        await api.CreatePodEventAsync(pod.Event(Warning, RemediationNames.EventRemediationStopped, "Evict",
            $"{(_options.DryRun ? "Dry run: " : string.Empty)}The eviction was stopped by the {rail} safety rail: {detail}. The pod keeps running on GPU {pod.GpuUuid}; a person decides.", now), cancellationToken).ConfigureAwait(false);
        pod.Stage = RemediationStage.Stopped;
        pod.NextAt = null;
    }

    private async Task CancelAsync(IKubernetesApi api, PodRemediation pod, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (pod.Mode == RemediationMode.Evict && pod.Stage is RemediationStage.Draining or RemediationStage.Evicting)
        {
            _metrics.Count("evict", "cancelled");
        }
        else if (pod.Stage == RemediationStage.Draining && pod.Drain != DrainProgress.Accepted)
        {
            _metrics.Count("drain", "cancelled");
        }

        await FlushPendingEventAsync(api, pod, cancellationToken).ConfigureAwait(false);

        var message = $"GPU {pod.GpuUuid} on node {_nodeName} recovered; what had not happened yet was cancelled.";
        if (!_options.DryRun)
        {
            await api.PatchPodConditionAsync(pod.Key.Namespace, pod.Key.Name,
                new PodCondition(RemediationNames.ConditionType, "True", RemediationStages.Recovered, message, now), cancellationToken).ConfigureAwait(false);
        }

        await api.CreatePodEventAsync(pod.Event(Normal, RemediationNames.EventGpuRecovered, "Recover", message, now), cancellationToken).ConfigureAwait(false);
        LogRecovered(pod.Key.Namespace, pod.Key.Name, pod.GpuUuid, RemediationStages.Reason(pod.Stage));
        _pods.Remove(pod.Key);
    }

    private async Task SetStageAsync(IKubernetesApi api, PodRemediation pod, RemediationStage stage, string message, CancellationToken cancellationToken)
    {
        var condition = new PodCondition(RemediationNames.ConditionType, "False", RemediationStages.Reason(stage), message, pod.Start);
        if (!await api.PatchPodConditionAsync(pod.Key.Namespace, pod.Key.Name, condition, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"pod {pod.Key.Namespace}/{pod.Key.Name} disappeared while its stage was written");
        }

        pod.Stage = stage;
    }

    /// <summary>Posts the Event held back while Ray was asked (see <see cref="AnnotateAsync"/>), once.</summary>
    private static async Task FlushPendingEventAsync(IKubernetesApi api, PodRemediation pod, CancellationToken cancellationToken)
    {
        if (pod.PendingEvent is { } pending)
        {
            pod.PendingEvent = null;
            await api.CreatePodEventAsync(pending, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Describe(RayGcsFailure failure, string? message) => failure switch
    {
        RayGcsFailure.Unreachable => $"the GCS is unreachable ({message})",
        RayGcsFailure.TokenAuthRequired => $"the GCS requires token authentication (RAY_AUTH_MODE=token), which the agent does not support yet ({message})",
        _ => $"the GCS call failed ({message})",
    };

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
