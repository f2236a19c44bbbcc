using System.Text.Json.Nodes;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Remediation;

/// <summary>The remediation loop end to end on this side of the GCS boundary: API server, pod-resources, health, clock.</summary>
public sealed class GpuRemediationServiceTests : IAsyncLifetime
{
    private RemediationHarness _h = null!;

    public async Task InitializeAsync() => _h = await RemediationHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static RemediationOptions Evict() => new() { Mode = "Evict" };

    [Fact]
    public async Task Xid79_RayWorker_AnnotatesDrainsThenEvictsOnceRayReportsItDrained()
    {
        var service = await _h.StartServiceAsync(Evict());
        var faultAt = _h.Time.GetUtcNow();

        _h.Fault(0);

        var fault = await _h.NextPodEventAsync();
        Assert.Equal(("GpuFault", "Warning"), (fault.Reason, fault.Type));
        Assert.Contains(RemediationHarness.Gpu0, fault.Note, StringComparison.Ordinal);
        Assert.Contains("xid-79", fault.Note, StringComparison.Ordinal);
        Assert.Contains(RemediationHarness.NodeName, fault.Note, StringComparison.Ordinal);

        var drain = await _h.Ray.Drains.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal((RemediationHarness.Gcs, RemediationHarness.RayNodeId, faultAt + TimeSpan.FromMinutes(10)), (drain.Address, drain.NodeId, drain.Deadline));
        Assert.Contains(RemediationHarness.Gpu0, drain.ReasonMessage, StringComparison.Ordinal);
        Assert.Equal("RayDrainRequested", (await _h.NextPodEventAsync()).Reason);
        await service.Idle.DefaultTimeout();

        var condition = _h.WorkerCondition()!;
        Assert.Equal(("False", "GpuFaultDraining"), ((string?)condition["status"], (string?)condition["reason"]));
        Assert.Equal(faultAt, DateTimeOffset.Parse((string)condition["lastTransitionTime"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(RemediationHarness.Gpu0, (string?)_h.Api.Node["metadata"]!["annotations"]!["raygpu.io/remediating"]);
        Assert.Equal(0, _h.Api.EvictionCount);

        // Ray still runs tasks there: no eviction yet. Then the node is idle while draining: evicted.
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Draining, 0);
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(10));
        Assert.Equal(0, _h.Api.EvictionCount);
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Draining, 2500);
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(10));

        var eviction = await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.EndsWith($"/pods/{RemediationHarness.Worker}/eviction", eviction.Path, StringComparison.Ordinal);
        Assert.Equal(1, _h.Api.EvictionCount);
        Assert.Null(_h.Api.FullPod(RemediationHarness.Namespace, RemediationHarness.Worker));
        Assert.Equal(["GpuEvicting"], _h.DrainPodEvents());
        Assert.Equal((1, 1, 1), (_h.Count("annotate", "succeeded"), _h.Count("drain", "succeeded"), _h.Count("evict", "succeeded")));
        Assert.Equal((1, 1), (_h.Metrics.Remediation.Drain.Read().Count, _h.Metrics.Remediation.Eviction.Read().Count));
        Assert.Equal(20, _h.Metrics.Remediation.Eviction.Read().SumSeconds, 3);
    }

    [Fact]
    public async Task PodEvents_NameTheReportingNode()
    {
        await _h.StartServiceAsync(Evict());

        _h.Fault(0);

        var fault = JsonNode.Parse((await _h.Api.PodEvents.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
        Assert.Equal(("GpuFault", KubernetesApi.ReportingController), ((string?)fault["reason"], (string?)fault["reportingController"]));
        Assert.Equal($"{KubernetesApi.ReportingController}-{RemediationHarness.NodeName}", (string?)fault["reportingInstance"]);
    }

    [Fact]
    public async Task ApplicationXid_NothingHappens()
    {
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0, xid: 13);
        _h.Fault(0, xid: 43);
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(11));

        Assert.Null(_h.WorkerCondition());
        Assert.Empty(_h.DrainPodEvents());
        Assert.False(_h.Ray.Drains.Reader.TryRead(out _));
        Assert.Equal(0, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task TransientXid_NotRemediable_NothingHappens()
    {
        var service = await _h.StartServiceAsync(Evict());

        // XID 92 (high single-bit ECC rate) is neither ignored nor fatal: the GPU turns unhealthy, transiently.
        _h.Fault(0, xid: 92);
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(11));

        Assert.Equal(Platform.NodeAgent.Health.GpuHealthState.Unhealthy, _h.Tracker.StateOf(RemediationHarness.Gpu0));
        Assert.Null(_h.WorkerCondition());
        Assert.Empty(_h.DrainPodEvents());
    }

    /// <summary>A GPU already unhealthy for a transient reason that then reports a fatal XID is remediated: the
    /// upgrade is a transition of its own.</summary>
    [Fact]
    public async Task TransientThenFatalXid_RayWorker_IsDrained()
    {
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0, xid: 92);
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(1));
        Assert.Null(_h.WorkerCondition());
        _h.Fault(0, xid: 79);

        var drain = await _h.Ray.Drains.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Contains("79", drain.ReasonMessage, StringComparison.Ordinal);
        await service.Idle.DefaultTimeout();
        Assert.Equal("GpuFaultDraining", (string?)_h.WorkerCondition()!["reason"]);
    }

    [Fact]
    public async Task HeadPod_AnnotatedOnly_NeverDrainedOrEvicted()
    {
        _h.AddPod("rc-head-xyz", "10.0.0.9", new Dictionary<string, string> { ["ray.io/cluster"] = "rc", ["ray.io/node-type"] = "head" }, RemediationHarness.Gpu1);
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(1);
        Assert.Equal("GpuFault", (await _h.NextPodEventAsync()).Reason);
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(11));

        Assert.Equal("GpuFaultAnnotated", (string?)_h.WorkerCondition("rc-head-xyz")!["reason"]);
        Assert.False(_h.Ray.Drains.Reader.TryRead(out _));
        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.Null(_h.Api.Node["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task NonRayPod_Annotated_UnlessNonRayPodsEvict()
    {
        _h.AddPod("batch-job", "10.0.0.7", new Dictionary<string, string> { ["app"] = "batch" }, RemediationHarness.Gpu1);
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(1);
        Assert.Equal("GpuFault", (await _h.NextPodEventAsync()).Reason);
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(11));

        Assert.Equal("GpuFaultAnnotated", (string?)_h.WorkerCondition("batch-job")!["reason"]);
        Assert.Equal(0, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task NonRayPod_NonRayPodsEvict_EvictedWithoutDrain()
    {
        _h.AddPod("batch-job", "10.0.0.7", new Dictionary<string, string> { ["app"] = "batch" }, RemediationHarness.Gpu1);
        await _h.StartServiceAsync(new RemediationOptions { Mode = "evict", NonRayPods = "evict" });

        _h.Fault(1);

        Assert.Equal(["GpuFault", "GpuEvicting"], await _h.PodEventsUntilAsync("GpuEvicting"));
        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.False(_h.Ray.Drains.Reader.TryRead(out _));
        Assert.Equal(1, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task GcsDown_ReportedThenEvictedAfterTheDrainTimeout()
    {
        _h.Ray.Failure = RayGcsFailure.Unreachable;
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0);

        Assert.Equal(["GpuFault", "RayDrainFailed"], await _h.PodEventsUntilAsync("RayDrainFailed"));
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(9));
        Assert.Equal(0, _h.Api.EvictionCount);
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(1));

        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal(1, _h.Api.EvictionCount);
        Assert.Equal(1, _h.Count("drain", "failed"));
        Assert.Contains(_h.Logs.Entries, e => e.EventId == 703);
    }

    [Fact]
    public async Task GcsRequiresToken_ReportedThenEvictedAfterTheDrainTimeout()
    {
        _h.Ray.Failure = RayGcsFailure.TokenAuthRequired;
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0);

        await _h.PodEventsUntilAsync("RayDrainFailed");
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(10));
        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal(1, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task DrainRejected_ReportedThenEvictedAfterTheDrainTimeout()
    {
        _h.Ray.RejectWith = "the node is already being drained for another reason";
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0);

        await _h.PodEventsUntilAsync("RayDrainFailed");
        Assert.Equal(0, _h.Api.EvictionCount);
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(10));
        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal(1, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task PdbRefuses_RetriedWithBackoffAndReported_ThenEvicted()
    {
        _h.Api.PdbRefuses = true;
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0);

        // Drain accepted, and Ray already reports the node dead: straight to the eviction, refused.
        await _h.PodEventsUntilAsync("EvictionRefused");
        Assert.Equal("GpuFaultEvicting", (string?)_h.WorkerCondition()!["reason"]);
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(5));
        await _h.PodEventsUntilAsync("EvictionRefused");
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(5));
        Assert.Empty(_h.DrainPodEvents());
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(5));
        await _h.PodEventsUntilAsync("EvictionRefused");

        _h.Api.PdbRefuses = false;
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(20));

        Assert.Equal(1, _h.Api.EvictionCount);
        Assert.Equal((3, 1), (_h.Count("evict", "refused"), _h.Count("evict", "succeeded")));
        Assert.Equal(3, _h.Logs.Entries.Count(e => e.EventId == 706));
    }

    [Fact]
    public async Task RateLimit_StopsTheEvictionAndReports()
    {
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        await _h.StartServiceAsync(new RemediationOptions { Mode = "Evict", MaxEvictionsPerNodePerHour = 0 });

        _h.Fault(0);

        var stopped = await _h.NextPodEventAfterAsync("RemediationStopped");
        Assert.Contains("eviction_rate", stopped, StringComparison.Ordinal);
        Assert.Equal("GpuFaultStopped", (string?)_h.WorkerCondition()!["reason"]);
        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.Equal((1, 1), (_h.Trips(SafetyRails.EvictionRate), _h.Count("evict", "stopped")));
    }

    [Fact]
    public async Task RateLimit_SecondEvictionWithinTheHour_Stopped()
    {
        _h.AddPod("rc-gpu-worker-fghij", "10.0.0.6", RemediationHarness.WorkerLabels, RemediationHarness.Gpu1);
        _h.Ray.AddNode(RemediationHarness.Gcs, "10.0.0.6", "e5f6", RayNodeStatus.Dead);
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        var service = await _h.StartServiceAsync(new RemediationOptions { Mode = "Evict", MaxEvictionsPerNodePerHour = 1, NodeFaultGpus = 3 });

        _h.Fault(0);
        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(30));
        _h.Fault(1);
        var stopped = await _h.NextPodEventAfterAsync("RemediationStopped");

        Assert.Contains("eviction_rate", stopped, StringComparison.Ordinal);
        Assert.Equal(1, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task NodeBreaker_TwoGpusFail_TaintsNodeEvictsNothing_ClearsAfterRecoveryWindow()
    {
        _h.AddPod("rc-gpu-worker-fghij", "10.0.0.6", RemediationHarness.WorkerLabels, RemediationHarness.Gpu1);
        _h.Ray.AddNode(RemediationHarness.Gcs, "10.0.0.6", "e5f6", RayNodeStatus.Dead);
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0);
        _h.Fault(1);

        await _h.NextPodEventAfterAsync("RemediationStopped");
        await _h.NextPodEventAfterAsync("RemediationStopped");
        await service.Idle.DefaultTimeout();
        var taints = _h.Api.Node["spec"]!["taints"]!.AsArray();
        Assert.Contains(taints, t => (string?)t!["key"] == "raygpu.io/gpu-degraded" && (string?)t["value"] == "true" && (string?)t["effect"] == "NoSchedule");
        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.True(_h.Metrics.Remediation.Degraded);
        Assert.Equal(1, _h.Count("taint", "succeeded"));
        Assert.True(_h.Trips(SafetyRails.NodeBreaker) >= 2);
        var nodeEvent = await NodeEventAsync("GpuNodeDegraded");
        Assert.Contains("2 GPUs failed", nodeEvent, StringComparison.Ordinal);

        // Every GPU healthy for the recovery window: taint and annotation go.
        _h.Recover(0);
        _h.Recover(1);
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(29));
        Assert.NotNull(_h.Api.Node["spec"]!["taints"]);
        Assert.Contains(_h.Api.Node["spec"]!["taints"]!.AsArray(), t => (string?)t!["key"] == "raygpu.io/gpu-degraded");
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(2));
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(10));

        Assert.DoesNotContain(_h.Api.Node["spec"]!["taints"]!.AsArray(), t => (string?)t!["key"] == "raygpu.io/gpu-degraded");
        Assert.Null(_h.Api.Node["metadata"]!["annotations"]?["raygpu.io/remediating"]);
        Assert.False(_h.Metrics.Remediation.Degraded);
        Assert.Equal(1, _h.Count("untaint", "succeeded"));
    }

    [Fact]
    public async Task ClusterBreaker_TooManyGpuNodesDisrupted_StopsAndReports()
    {
        _h.Api.SetNodeLabel("nvidia.com/gpu.present", "true");
        _h.Api.AddOtherNode("gpu-node-2", new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true" }, remediating: "GPU-x");
        _h.Api.AddOtherNode("gpu-node-3", new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true" }, degraded: true);
        _h.Api.AddOtherNode("cpu-node-1", new Dictionary<string, string>(), remediating: "GPU-y");
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        await _h.StartServiceAsync(Evict());

        _h.Fault(0);

        var stopped = await _h.NextPodEventAfterAsync("RemediationStopped");
        Assert.Contains("cluster_breaker", stopped, StringComparison.Ordinal);
        Assert.Contains("3 of 3 GPU nodes", stopped, StringComparison.Ordinal);
        var list = await _h.Api.NodeLists.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Contains("labelSelector=nvidia.com%2Fgpu.present%3Dtrue", list.Path, StringComparison.Ordinal);
        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.Equal(1, _h.Trips(SafetyRails.ClusterBreaker));
    }

    [Fact]
    public async Task ClusterBreaker_WithinTheMinimum_Evicts()
    {
        _h.Api.SetNodeLabel("nvidia.com/gpu.present", "true");
        _h.Api.AddOtherNode("gpu-node-2", new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true" }, remediating: "GPU-x");
        _h.Api.AddOtherNode("gpu-node-3", new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true" });
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        await _h.StartServiceAsync(Evict());

        _h.Fault(0);

        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal(1, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task DryRun_EventsOnly_NoConditionDrainEvictionOrNodeChange()
    {
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        var service = await _h.StartServiceAsync(new RemediationOptions { Mode = "Evict", DryRun = true });

        _h.Fault(0);

        Assert.Equal(["GpuFault", "RayDrainRequested", "GpuEvicting"], await _h.PodEventsUntilAsync("GpuEvicting"));
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(11));
        Assert.Null(_h.WorkerCondition());
        Assert.False(_h.Api.PodStatusPatches.Reader.TryRead(out _));
        Assert.False(_h.Ray.Drains.Reader.TryRead(out _));
        Assert.False(_h.Api.Evictions.Reader.TryRead(out _));
        Assert.False(_h.Api.NodePatches.Reader.TryRead(out _));
        Assert.Equal((1, 1, 1), (_h.Count("annotate", "dry_run"), _h.Count("drain", "dry_run"), _h.Count("evict", "dry_run")));
    }

    [Fact]
    public async Task Restart_WhileEvictionRefused_ResumesFromTheConditionAndEvictsOnce()
    {
        _h.Api.PdbRefuses = true;
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        var first = await _h.StartServiceAsync(Evict());
        _h.Fault(0);
        await _h.PodEventsUntilAsync("EvictionRefused");
        await first.Idle.DefaultTimeout();
        await _h.StopServicesAsync();
        _h.DrainPodEvents();

        // A new agent: it has not seen the fault; the pod's condition says an eviction is under way.
        _h.Api.PdbRefuses = false;
        var second = await _h.StartServiceAsync(Evict());
        await _h.AdvanceAsync(second, TimeSpan.FromSeconds(10));

        Assert.Equal(1, _h.Api.EvictionCount);
        Assert.DoesNotContain("GpuFault", _h.DrainPodEvents());
        Assert.Contains(_h.Logs.Entries, e => e.EventId == 717);

        // And a third start finds the pod gone: nothing is evicted twice.
        await _h.StopServicesAsync();
        var third = await _h.StartServiceAsync(Evict());
        await _h.AdvanceAsync(third, TimeSpan.FromMinutes(11));
        Assert.Equal(1, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task Restart_WhileDraining_KeepsTheOriginalDeadline()
    {
        var first = await _h.StartServiceAsync(Evict());
        _h.Fault(0);
        await _h.Ray.Drains.Reader.ReadAsync().AsTask().DefaultTimeout();
        await first.Idle.DefaultTimeout();
        await _h.StopServicesAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(6));

        var second = await _h.StartServiceAsync(Evict());
        Assert.Equal(0, _h.Api.EvictionCount);
        await _h.AdvanceAsync(second, TimeSpan.FromMinutes(4));

        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal(1, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task GpuRecoversBeforeTheDeadline_EvictionCancelled()
    {
        var service = await _h.StartServiceAsync(Evict());
        _h.Fault(0);
        await _h.Ray.Drains.Reader.ReadAsync().AsTask().DefaultTimeout();
        await _h.PodEventsUntilAsync("RayDrainRequested");
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(3));

        _h.Recover(0);

        var recovered = await _h.NextPodEventAsync();
        Assert.Equal(("GpuRecovered", "Normal"), (recovered.Reason, recovered.Type));
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(10));
        var condition = _h.WorkerCondition()!;
        Assert.Equal(("True", "GpuRecovered"), ((string?)condition["status"], (string?)condition["reason"]));
        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.Equal(1, _h.Count("evict", "cancelled"));
    }

    [Theory]
    [InlineData("off")]
    [InlineData("annotate")]
    [InlineData("drain")]
    public async Task NamespaceLabel_LowersTheMode(string label)
    {
        _h.Api.AddNamespace(RemediationHarness.Namespace, new Dictionary<string, string> { ["raygpu.io/remediation"] = label });
        _h.Ray.SetNode(RemediationHarness.Gcs, RemediationHarness.WorkerIp, RayNodeStatus.Dead, 0);
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0);
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(1));
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(11));

        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.Equal(label == "off" ? null : label == "annotate" ? "GpuFaultAnnotated" : "GpuFaultDraining", (string?)_h.WorkerCondition()?["reason"]);
        Assert.Equal(label == "drain", _h.Ray.Drains.Reader.TryRead(out _));
    }

    [Fact]
    public async Task PodOnAnotherNode_NeverTouched()
    {
        _h.AddPod("elsewhere", "10.0.1.5", RemediationHarness.WorkerLabels, RemediationHarness.Gpu1, nodeName: "gpu-node-9");
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(1);
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(11));

        Assert.Null(_h.WorkerCondition("elsewhere"));
        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.Contains(_h.Logs.Entries, e => e.EventId == 709);
    }

    [Fact]
    public async Task SecondGpuOfTheSamePod_WhileRemediating_OneRemediationOnly()
    {
        _h.PodResources.SetPods(V1Pod(RemediationHarness.Worker, RemediationHarness.Gpu0, RemediationHarness.Gpu1));
        var service = await _h.StartServiceAsync(new RemediationOptions { Mode = "Evict", NodeFaultGpus = 3 });

        _h.Fault(0);
        await _h.Ray.Drains.Reader.ReadAsync().AsTask().DefaultTimeout();
        _h.Fault(1);
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(1));

        Assert.Equal(1, _h.Trips(SafetyRails.PodInFlight));
        Assert.False(_h.Ray.Drains.Reader.TryRead(out _));
        Assert.Single(_h.DrainPodEvents(), r => r == "GpuFault");
    }

    [Fact]
    public async Task AnnotateMode_Default_AnnotatesOnly()
    {
        var service = await _h.StartServiceAsync(new RemediationOptions());

        _h.Fault(0);
        var fault = await _h.NextPodEventAsync();
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(11));

        Assert.Equal("GpuFault", fault.Reason);
        Assert.Equal(("False", "GpuFaultAnnotated"), ((string?)_h.WorkerCondition()!["status"], (string?)_h.WorkerCondition()!["reason"]));
        Assert.False(_h.Ray.Drains.Reader.TryRead(out _));
        Assert.False(_h.Api.NodePatches.Reader.TryRead(out _));
        Assert.Equal(0, _h.Metrics.Remediation.InFlight);
    }

    private static V1.PodResources V1Pod(string name, params string[] gpus) =>
        FakePodResources.Pod(RemediationHarness.Namespace, name, "ray-worker", "nvidia.com/gpu", gpus);

    private async Task<string> NodeEventAsync(string reason)
    {
        while (true)
        {
            var request = await _h.Api.Events.Reader.ReadAsync().AsTask().DefaultTimeout();
            var body = System.Text.Json.Nodes.JsonNode.Parse(request.Body)!;
            if ((string?)body["reason"] == reason)
            {
                return (string)body["note"]!;
            }
        }
    }
}
