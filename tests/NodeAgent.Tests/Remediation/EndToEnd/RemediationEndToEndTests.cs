using System.Text.Json;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Tests.Fakes;
using static Platform.NodeAgent.Tests.Remediation.EndToEnd.RemediationRig;

namespace Platform.NodeAgent.Tests.Remediation.EndToEnd;

/// <summary>
/// GPU fault remediation end to end over real protocols: an XID on a simulated GPU, the pod holding it
/// found through pod-resources (Unix socket), the pod's condition, Events and eviction through the loopback
/// Kubernetes API (HTTPS), the drain through the grpc-js fake Ray GCS (gRPC). Waits are on what the fakes
/// receive, never on time; "nothing happened" is checked after a later action the same loop took.
/// </summary>
public sealed class RemediationEndToEndTests
{
    private const string Ns = "ml";
    private static readonly string WorkerNode = new string('a', 54) + "01";
    private static readonly string OtherWorkerNode = new string('b', 54) + "02";
    private static readonly string HeadNode = new string('c', 54) + "03";

    [Fact]
    public async Task Evict_Xid79OnRayWorker_ConditionEventDrainWithNodeIdAndDeadlineThenEvictionOnceTheNodeIsDead()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:DrainTimeout=00:10:00");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 1);
        await rig.Gcs.SetNodesAsync(new GcsNode(HeadNode, "10.0.0.2"), new GcsNode(WorkerNode, "10.0.0.7"));
        await rig.StartAgentAsync();

        var before = DateTimeOffset.UtcNow;
        await rig.XidAsync(1, 79);

        var fault = await rig.EventAsync(RemediationNames.EventGpuFault, "rc-gpu-worker-a");
        Assert.Equal("Warning", fault.Type);
        Assert.Contains(GpuUuid(1), fault.Note, StringComparison.Ordinal);
        Assert.Contains("79", fault.Note, StringComparison.Ordinal);
        Assert.Contains(NodeName, fault.Note, StringComparison.Ordinal);
        var drain = await rig.Gcs.NextAsync("DrainNode");
        Assert.Equal(WorkerNode, drain.Field("node_id"));
        Assert.Equal("DRAIN_NODE_REASON_PREEMPTION", drain.Field("reason"));
        Assert.Contains(GpuUuid(1), drain.Field("reason_message"), StringComparison.Ordinal);
        // Deadline = fault + DrainTimeout (10 min), in Unix milliseconds.
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(drain.Request.GetProperty("deadline_timestamp_ms").GetInt64());
        Assert.InRange(deadline, before + TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10));
        Assert.Contains("rc-head-svc.ml.svc:6379", rig.RayGcs!.AskedFor);
        await rig.EventAsync(RemediationNames.EventRayDrainRequested, "rc-gpu-worker-a");
        Assert.Equal("GpuFaultDraining", rig.ConditionReason(Ns, "rc-gpu-worker-a"));
        Assert.Equal("False", (string?)rig.Api.Condition(Ns, "rc-gpu-worker-a", RemediationNames.ConditionType)!["status"]);
        Assert.Equal(GpuUuid(1), (string?)rig.Api.Node["metadata"]!["annotations"]![RemediationNames.NodeAnnotation]);

        // DRAINING with work still running: the agent keeps reading the node's state and does not evict.
        await rig.Gcs.NextAsync("GetClusterStatus");
        await rig.Gcs.NextAsync("GetClusterStatus");
        Assert.Equal(0, rig.EvictionsOf("rc-gpu-worker-a"));

        await rig.Gcs.SetStatusAsync(WorkerNode, "DEAD");
        var eviction = await rig.EvictionAsync("rc-gpu-worker-a");

        var body = JsonDocument.Parse(eviction.Body).RootElement;
        Assert.Equal("rc-gpu-worker-a", body.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("uid-rc-gpu-worker-a", body.GetProperty("deleteOptions").GetProperty("preconditions").GetProperty("uid").GetString());
        await rig.EventAsync(RemediationNames.EventGpuEvicting, "rc-gpu-worker-a");
        Assert.Equal(1, rig.EvictionsOf("rc-gpu-worker-a"));
        Assert.DoesNotContain(Requests(rig), r => r.Method == "DrainNode");
    }

    [Fact]
    public async Task Evict_HeadPlainPodAndApplicationXid_HeadAndPlainPodAnnotatedOnlyApplicationXidIgnored()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:NodeFaultGpus=4");
        rig.AddPod(Ns, "rc-head", "10.0.0.2", Head(), gpu: 0);
        rig.AddPod(Ns, "notebook", "10.0.0.3", [], gpu: 1);
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 2);
        await rig.Gcs.SetNodesAsync(new GcsNode(HeadNode, "10.0.0.2"), new GcsNode(WorkerNode, "10.0.0.7"));
        await rig.Gcs.SetDrainAsync("accept", afterAccept: "idle");
        await rig.StartAgentAsync();

        // An application XID (13) first, then a fatal one on the same GPU: only the second may start anything.
        await rig.XidAsync(2, 13);
        await rig.XidAsync(0, 79);
        await rig.XidAsync(1, 79);
        await rig.XidAsync(2, 79);
        await rig.FaultsHandledAsync(0, 1, 2);

        var worker = await rig.EventAsync(RemediationNames.EventGpuFault, "rc-gpu-worker-a");
        Assert.Contains("XID 79", worker.Note, StringComparison.Ordinal);
        Assert.DoesNotContain("XID 13", worker.Note, StringComparison.Ordinal);
        await rig.EventAsync(RemediationNames.EventGpuFault, "rc-head");
        await rig.EventAsync(RemediationNames.EventGpuFault, "notebook");
        await rig.EvictionAsync("rc-gpu-worker-a");
        Assert.Equal("GpuFaultAnnotated", rig.ConditionReason(Ns, "rc-head"));
        Assert.Equal("GpuFaultAnnotated", rig.ConditionReason(Ns, "notebook"));
        Assert.DoesNotContain(rig.Events, e => e.Reason == RemediationNames.EventGpuFault);
        Assert.Equal(1, rig.EvictionsOf("rc-gpu-worker-a"));
        Assert.All(rig.SeenEvictions, e => Assert.Contains("rc-gpu-worker-a", e.Path, StringComparison.Ordinal));
        Assert.Equal([WorkerNode], Drained(rig));
        var metrics = await rig.Http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.DoesNotContain("rail=\"pod_in_flight\"} 1", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("down")]
    [InlineData("reject")]
    [InlineData("unauthenticated")]
    public async Task Evict_RayCannotBeAskedToDrain_ReportedThenEvictedAfterTheDrainTimeout(string gcs)
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:DrainTimeout=00:00:01");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 0);
        await rig.Gcs.SetNodesAsync(new GcsNode(WorkerNode, "10.0.0.7"));
        switch (gcs)
        {
            case "down":
                await rig.Gcs.DownAsync();
                break;
            case "reject":
                await rig.Gcs.SetDrainAsync("reject", "the node runs a detached actor");
                break;
            default:
                await rig.Gcs.SetTokenAsync("a-token-the-agent-does-not-have-0123456789");
                break;
        }

        await rig.StartAgentAsync();
        await rig.XidAsync(0, 79);

        var failed = await rig.EventAsync(RemediationNames.EventRayDrainFailed, "rc-gpu-worker-a");
        Assert.Equal("Warning", failed.Type);
        Assert.Contains(gcs switch { "down" => "unreachable", "reject" => "the node runs a detached actor", _ => "token" }, failed.Note, StringComparison.Ordinal);
        Assert.Contains("evicted at", failed.Note, StringComparison.Ordinal);
        await rig.EvictionAsync("rc-gpu-worker-a");
        var evicting = await rig.EventAsync(RemediationNames.EventGpuEvicting, "rc-gpu-worker-a");
        Assert.Equal(1, rig.EvictionsOf("rc-gpu-worker-a"));
        Assert.DoesNotContain(rig.Events, e => e.Reason == RemediationNames.EventRayDrainFailed);
        Assert.NotEmpty(evicting.Note);
    }

    [Fact]
    public async Task Evict_PodDisruptionBudgetRefuses_RetriedWithBackoffAndReportedUntilItSucceeds()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 0);
        await rig.Gcs.SetNodesAsync(new GcsNode(WorkerNode, "10.0.0.7"));
        await rig.Gcs.SetDrainAsync("accept", afterAccept: "dead");
        rig.Api.PdbRefuses = true;
        await rig.StartAgentAsync();

        await rig.XidAsync(0, 79);

        var refused = await rig.EventAsync(RemediationNames.EventEvictionRefused, "rc-gpu-worker-a");
        Assert.Contains("disruption budget", refused.Note, StringComparison.Ordinal);
        await rig.EventAsync(RemediationNames.EventEvictionRefused, "rc-gpu-worker-a");
        Assert.Equal("GpuFaultEvicting", rig.ConditionReason(Ns, "rc-gpu-worker-a"));
        var metrics = await rig.Http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Matches("raygpu_remediations_total\\{action=\"evict\",result=\"refused\"\\} [2-9]", metrics);

        // The budget allows it now: requests sent before this point may still be refused; the next one is not.
        rig.Api.PdbRefuses = false;
        rig.TakeEvictions();
        var refusedAttempts = rig.EvictionsOf("rc-gpu-worker-a");
        await rig.EvictionAsync("rc-gpu-worker-a");
        Assert.Equal(refusedAttempts + 1, rig.EvictionsOf("rc-gpu-worker-a"));
    }

    [Fact]
    public async Task Evict_RateLimitReached_SecondEvictionStoppedAndReported()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:MaxEvictionsPerNodePerHour=1", "Remediation:NodeFaultGpus=3");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 0);
        rig.AddPod(Ns, "rc-gpu-worker-b", "10.0.0.8", Worker(), gpu: 1);
        await rig.Gcs.SetNodesAsync(new GcsNode(WorkerNode, "10.0.0.7"), new GcsNode(OtherWorkerNode, "10.0.0.8"));
        await rig.Gcs.SetDrainAsync("accept", afterAccept: "dead");
        await rig.StartAgentAsync();

        await rig.XidAsync(0, 79);
        await rig.EvictionAsync("rc-gpu-worker-a");
        await rig.XidAsync(1, 79);

        var stopped = await rig.EventAsync(RemediationNames.EventRemediationStopped, "rc-gpu-worker-b");
        Assert.Contains("eviction_rate", stopped.Note, StringComparison.Ordinal);
        Assert.Equal("GpuFaultStopped", rig.ConditionReason(Ns, "rc-gpu-worker-b"));
        Assert.Equal(0, rig.EvictionsOf("rc-gpu-worker-b"));
        Assert.Equal(1, rig.Api.EvictionCount);
        var metrics = await rig.Http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("raygpu_remediation_rail_trips_total{rail=\"eviction_rate\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evict_TwoGpusOfTheNodeFail_NodeBreakerTaintsTheNodeAndEvictsNothing()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:DrainTimeout=00:00:01");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 0);
        rig.AddPod(Ns, "rc-gpu-worker-b", "10.0.0.8", Worker(), gpu: 1);
        await rig.Gcs.SetNodesAsync(new GcsNode(WorkerNode, "10.0.0.7"), new GcsNode(OtherWorkerNode, "10.0.0.8"));
        await rig.StartAgentAsync();

        await rig.XidAsync(0, 79);
        await rig.XidAsync(1, 79);

        await rig.NodeEventAsync(RemediationNames.EventGpuNodeDegraded);
        var stoppedA = await rig.EventAsync(RemediationNames.EventRemediationStopped, "rc-gpu-worker-a");
        var stoppedB = await rig.EventAsync(RemediationNames.EventRemediationStopped, "rc-gpu-worker-b");
        Assert.Contains("node_breaker", stoppedA.Note, StringComparison.Ordinal);
        Assert.Contains("node_breaker", stoppedB.Note, StringComparison.Ordinal);
        var taints = rig.Api.Node["spec"]!["taints"]!.AsArray();
        Assert.Contains(taints, t => (string?)t!["key"] == RemediationNames.DegradedTaintKey && (string?)t["effect"] == "NoSchedule");
        Assert.False(rig.Api.Evictions.Reader.TryRead(out _));
        var metrics = await rig.Http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("raygpu_node_gpu_degraded 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evict_TooManyGpuNodesDisrupted_ClusterBreakerStopsTheEviction()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:GpuNodeSelector=nvidia.com/gpu.present=true");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 0);
        await rig.Gcs.SetNodesAsync(new GcsNode(WorkerNode, "10.0.0.7"));
        await rig.Gcs.SetDrainAsync("accept", afterAccept: "dead");
        // Ten GPU nodes, two of them already remediating: with this one, 3 of 11 (more than 10 %, more than 2).
        for (var i = 0; i < 10; i++)
        {
            rig.Api.AddOtherNode($"gpu-node-other-{i}", new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true" }, remediating: i < 2 ? "GPU-elsewhere" : null);
        }

        await rig.StartAgentAsync();
        await rig.XidAsync(0, 79);

        var stopped = await rig.EventAsync(RemediationNames.EventRemediationStopped, "rc-gpu-worker-a");
        Assert.Contains("cluster_breaker", stopped.Note, StringComparison.Ordinal);
        Assert.Equal("GpuFaultStopped", rig.ConditionReason(Ns, "rc-gpu-worker-a"));
        Assert.Equal(0, rig.EvictionsOf("rc-gpu-worker-a"));
    }

    [Fact]
    public async Task DryRun_FaultOnRayWorker_EventsOnlyNoConditionNoDrainNoEviction()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:DryRun=true", "Remediation:DrainTimeout=00:00:01");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 0);
        await rig.Gcs.SetNodesAsync(new GcsNode(WorkerNode, "10.0.0.7"));
        await rig.StartAgentAsync();

        await rig.XidAsync(0, 79);

        Assert.StartsWith("Dry run", (await rig.EventAsync(RemediationNames.EventGpuFault, "rc-gpu-worker-a")).Note, StringComparison.Ordinal);
        Assert.StartsWith("Dry run", (await rig.EventAsync(RemediationNames.EventRayDrainRequested, "rc-gpu-worker-a")).Note, StringComparison.Ordinal);
        Assert.StartsWith("Dry run", (await rig.EventAsync(RemediationNames.EventGpuEvicting, "rc-gpu-worker-a")).Note, StringComparison.Ordinal);
        Assert.False(rig.Api.PodStatusPatches.Reader.TryRead(out _));
        Assert.False(rig.Api.Evictions.Reader.TryRead(out _));
        Assert.DoesNotContain(Requests(rig), r => r.Method == "DrainNode");
        Assert.Null(rig.Api.Node["metadata"]!["annotations"]?[RemediationNames.NodeAnnotation]);
    }

    [Fact]
    public async Task Restart_WhileAPodDisruptionBudgetHoldsTheEviction_TheNewAgentFinishesItAndNeverEvictsTwice()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:MaxEvictionsPerNodePerHour=10", "Remediation:NodeFaultGpus=3");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 0);
        rig.AddPod(Ns, "rc-gpu-worker-b", "10.0.0.8", Worker(), gpu: 1);
        await rig.Gcs.SetNodesAsync(new GcsNode(WorkerNode, "10.0.0.7"), new GcsNode(OtherWorkerNode, "10.0.0.8"));
        await rig.Gcs.SetDrainAsync("accept", afterAccept: "dead");
        rig.Api.PdbRefuses = true;
        await rig.StartAgentAsync();
        await rig.XidAsync(0, 79);
        await rig.EventAsync(RemediationNames.EventEvictionRefused, "rc-gpu-worker-a");
        Assert.Equal("GpuFaultEvicting", rig.ConditionReason(Ns, "rc-gpu-worker-a"));

        await rig.StopAgentAsync();
        rig.TakeEvictions();
        rig.Api.PdbRefuses = false;
        await rig.StartAgentAsync();

        // The new agent knows nothing in memory: the pod's condition tells it an eviction is under way.
        await rig.EvictionAsync("rc-gpu-worker-a");
        Assert.Single(Drained(rig));
        var attemptsOnA = rig.EvictionsOf("rc-gpu-worker-a");

        // Once more: the evicted pod (terminating, still listed by the kubelet) is left alone; a later fault proves the loop went past it.
        await rig.RestartAgentAsync();
        await rig.XidAsync(1, 79);
        await rig.EvictionAsync("rc-gpu-worker-b");
        Assert.Equal(attemptsOnA, rig.EvictionsOf("rc-gpu-worker-a"));
        Assert.Equal(1, rig.EvictionsOf("rc-gpu-worker-b"));
    }

    [Fact]
    public async Task Evict_GpuRecoversBeforeTheDeadline_EvictionCancelledAndConditionTrue()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:DrainTimeout=00:10:00");
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 0);
        await rig.Gcs.SetNodesAsync(new GcsNode(WorkerNode, "10.0.0.7"));
        await rig.StartAgentAsync();

        await rig.XidAsync(0, 79);
        await rig.EventAsync(RemediationNames.EventRayDrainRequested, "rc-gpu-worker-a");
        await rig.ResetAsync(0);

        var recovered = await rig.EventAsync(RemediationNames.EventGpuRecovered, "rc-gpu-worker-a");
        Assert.Contains(GpuUuid(0), recovered.Note, StringComparison.Ordinal);
        var condition = rig.Api.Condition(Ns, "rc-gpu-worker-a", RemediationNames.ConditionType)!;
        Assert.Equal("True", (string?)condition["status"]);
        Assert.Equal("GpuRecovered", (string?)condition["reason"]);
        Assert.False(rig.Api.Evictions.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Evict_NamespaceLowersItsMode_OffDoesNothingAnnotateOnlyAnnotates()
    {
        await using var rig = await StartAsync("Remediation:Mode=Evict", "Remediation:NodeFaultGpus=4");
        rig.Api.AddNamespace("quiet", new Dictionary<string, string> { [RemediationNames.NamespaceLabel] = "off" });
        rig.Api.AddNamespace("careful", new Dictionary<string, string> { [RemediationNames.NamespaceLabel] = "annotate" });
        rig.AddPod("quiet", "rc-gpu-worker-q", "10.0.1.7", Worker(), gpu: 0);
        rig.AddPod("careful", "rc-gpu-worker-c", "10.0.2.7", Worker(), gpu: 1);
        rig.AddPod(Ns, "rc-gpu-worker-a", "10.0.0.7", Worker(), gpu: 2);
        await rig.Gcs.SetNodesAsync(new GcsNode(HeadNode, "10.0.1.7"), new GcsNode(OtherWorkerNode, "10.0.2.7"), new GcsNode(WorkerNode, "10.0.0.7"));
        await rig.Gcs.SetDrainAsync("accept", afterAccept: "dead");
        await rig.StartAgentAsync();

        await rig.XidAsync(0, 79);
        await rig.XidAsync(1, 79);
        await rig.XidAsync(2, 79);
        await rig.FaultsHandledAsync(0, 1, 2);
        await rig.EvictionAsync("rc-gpu-worker-a");

        Assert.Null(rig.ConditionReason("quiet", "rc-gpu-worker-q"));
        Assert.DoesNotContain(rig.Events, e => e.Pod == "rc-gpu-worker-q");
        Assert.Equal("GpuFaultAnnotated", rig.ConditionReason("careful", "rc-gpu-worker-c"));
        Assert.Equal([WorkerNode], Drained(rig));
        Assert.Equal(0, rig.EvictionsOf("rc-gpu-worker-q") + rig.EvictionsOf("rc-gpu-worker-c"));
    }

    private static List<GcsRequest> Requests(RemediationRig rig)
    {
        var requests = new List<GcsRequest>();
        while (rig.Gcs.Requests.Reader.TryRead(out var request))
        {
            requests.Add(request);
        }

        return requests;
    }

    private static List<string> Drained(RemediationRig rig) =>
        [.. Requests(rig).Where(r => r.Method == "DrainNode").Select(r => r.Field("node_id")).Distinct()];
}
