using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Remediation;

/// <summary>
/// The eviction rate rail across agent restarts: the node's evictions of the last hour live in its
/// <c>raygpu.io/evictions</c> annotation, written before each eviction and read back at start.
/// </summary>
public sealed class GpuRemediationServiceEvictionRateTests : IAsyncLifetime
{
    private const string Annotation = "raygpu.io/evictions";
    private const string JobA = "job-a";
    private const string JobB = "job-b";

    private static readonly Dictionary<string, string> Batch = new() { ["app"] = "batch" };

    private RemediationHarness _h = null!;

    public async Task InitializeAsync()
    {
        // Pods that are no Ray nodes, with nonRayPods=evict: evicted right after the annotation, no drain to wait for.
        _h = await RemediationHarness.StartAsync(worker: false);
        _h.AddPod(JobA, "10.0.0.7", Batch, RemediationHarness.Gpu0);
        _h.AddPod(JobB, "10.0.0.8", Batch, RemediationHarness.Gpu1);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    // Two GPUs failing close together would trip the node breaker, which is not what these tests are about.
    private static RemediationOptions Evict(int maxPerHour = 2, bool dryRun = false) =>
        new() { Mode = "evict", NonRayPods = "evict", NodeFaultGpus = 3, MaxEvictionsPerNodePerHour = maxPerHour, DryRun = dryRun };

    [Fact]
    public async Task Restart_TwoEvictionsThenAThirdFaultWithinTheHour_StoppedByTheRate_EvictsOnceTheHourPassed()
    {
        var first = await _h.StartServiceAsync(Evict());
        _h.Fault(0);
        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        await _h.AdvanceAsync(first, TimeSpan.FromMinutes(1));
        _h.Fault(1);
        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        await first.Idle.DefaultTimeout();
        Assert.Equal("2026-03-01T12:00:00Z,2026-03-01T12:01:00Z", _h.Api.NodeAnnotation(Annotation));

        // The agent restarts (a crash loop); GPU 0 was reset and a new pod holds it, then fails again.
        await _h.StopServicesAsync();
        _h.Recover(0);
        _h.AddPod("job-c", "10.0.0.9", Batch, RemediationHarness.Gpu0);
        _h.Time.Advance(TimeSpan.FromMinutes(10));
        var second = await _h.StartServiceAsync(Evict());
        _h.Fault(0);

        var stopped = await _h.NextPodEventAfterAsync("RemediationStopped");
        Assert.Contains("eviction_rate", stopped, StringComparison.Ordinal);
        Assert.Equal("GpuFaultStopped", (string?)_h.WorkerCondition("job-c")!["reason"]);
        Assert.Equal(2, _h.Api.EvictionCount);
        Assert.Equal(1, _h.Trips(SafetyRails.EvictionRate));

        // An hour after the second eviction the GPU is reset and fails once more: the rate allows it again.
        await _h.AdvanceAsync(second, TimeSpan.FromMinutes(51));
        _h.Recover(0);
        await _h.NextPodEventAfterAsync("GpuRecovered");
        await second.Idle.DefaultTimeout();
        _h.Fault(0);

        var eviction = await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.EndsWith("/pods/job-c/eviction", eviction.Path, StringComparison.Ordinal);
        Assert.Equal(3, _h.Api.EvictionCount);
        await second.Idle.DefaultTimeout();
        Assert.Equal("2026-03-01T13:02:00Z", _h.Api.NodeAnnotation(Annotation));
    }

    [Fact]
    public async Task Eviction_TheAnnotationIsWrittenBeforeTheEvictionCall_AFailedWriteEvictsNothingThatRound()
    {
        _h.Api.FailNodePatchesOf = Annotation;
        var service = await _h.StartServiceAsync(Evict());

        _h.Fault(0);
        await _h.PodEventsUntilAsync("GpuEvicting");
        await service.Idle.DefaultTimeout();

        Assert.DoesNotContain(_h.Api.Requests, r => r.Path.EndsWith("/eviction", StringComparison.Ordinal));
        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.Null(_h.Api.NodeAnnotation(Annotation));
        Assert.Equal(1, _h.Count("evict", "failed"));
        Assert.Contains(_h.Logs.Entries, e => e.EventId == 712 && e.Message.Contains("500", StringComparison.Ordinal));
        Assert.NotNull(service.Problem);

        // The write goes through the next time: written, then evicted.
        _h.Api.FailNodePatchesOf = null;
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(10));

        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal(1, _h.Api.EvictionCount);
        var requests = _h.Api.Requests.ToList();
        var write = requests.FindLastIndex(r => r.Method == "PATCH" && r.Path == $"/api/v1/nodes/{RemediationHarness.NodeName}" && r.Body.Contains(Annotation, StringComparison.Ordinal));
        var evict = requests.FindIndex(r => r.Path.EndsWith("/eviction", StringComparison.Ordinal));
        Assert.InRange(write, 0, evict - 1);
        Assert.Equal("2026-03-01T12:00:10Z", _h.Api.NodeAnnotation(Annotation));
    }

    [Fact]
    public async Task Start_TheCountCannotBeRead_NothingEvictedUntilItIs()
    {
        _h.Api.SetNodeAnnotation(Annotation, "2026-03-01T11:30:00Z");
        _h.Api.FailNodeReads = true;
        var service = await _h.StartServiceAsync(Evict(maxPerHour: 1));

        _h.Fault(0);
        await _h.PodEventsUntilAsync("GpuFault");
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(10));

        Assert.Equal(0, _h.Api.EvictionCount);
        Assert.DoesNotContain("GpuEvicting", _h.DrainPodEvents());
        Assert.Contains(_h.Logs.Entries, e => e.EventId == 712 && e.Message.Contains(Annotation, StringComparison.Ordinal));

        // Read at last: the one eviction of the last hour is the limit.
        _h.Api.FailNodeReads = false;
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(10));

        Assert.Contains("eviction_rate", await _h.NextPodEventAfterAsync("RemediationStopped"), StringComparison.Ordinal);
        Assert.Equal(0, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task RefusedEvictions_RetriedAndCountedOnce()
    {
        _h.Api.PdbRefuses = true;
        var service = await _h.StartServiceAsync(Evict(maxPerHour: 1));

        _h.Fault(0);
        await _h.PodEventsUntilAsync("EvictionRefused");
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(5));
        await _h.PodEventsUntilAsync("EvictionRefused");
        _h.Api.PdbRefuses = false;
        await _h.AdvanceAsync(service, TimeSpan.FromSeconds(10));

        // Its own entry never counts against the pod's retry, and the retries write nothing more.
        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal(1, _h.Api.EvictionCount);
        Assert.Equal(0, _h.Trips(SafetyRails.EvictionRate));
        Assert.Single(_h.Api.Requests, r => r.Method == "PATCH" && r.Body.Contains(Annotation, StringComparison.Ordinal));
        Assert.Equal("2026-03-01T12:00:00Z", _h.Api.NodeAnnotation(Annotation));
    }

    [Fact]
    public async Task Start_GarbageFutureAndOldEntries_GarbageAndOldDroppedFutureCountsAsNow()
    {
        _h.Api.SetNodeAnnotation(Annotation, "garbage,2026-03-01T09:00:00Z, 2026-03-01T15:00:00Z ,not-a-time");
        var service = await _h.StartServiceAsync(Evict());

        var warning = Assert.Single(_h.Logs.Entries, e => e.EventId == 719);
        Assert.Contains("garbage, not-a-time", warning.Message, StringComparison.Ordinal);
        Assert.Null(service.Problem);

        // The future entry counts as one eviction now: one more is allowed, then the rate of 2 is reached.
        _h.Fault(0);
        await _h.Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
        await service.Idle.DefaultTimeout();
        Assert.Equal("2026-03-01T12:00:00Z,2026-03-01T12:00:00Z", _h.Api.NodeAnnotation(Annotation));
        _h.Fault(1);

        Assert.Contains("eviction_rate", await _h.NextPodEventAfterAsync("RemediationStopped"), StringComparison.Ordinal);
        Assert.Equal(1, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task DryRun_NoAnnotationWritten()
    {
        _h.Api.SetNodeAnnotation(Annotation, "2026-03-01T11:30:00Z");
        var service = await _h.StartServiceAsync(Evict(dryRun: true));

        _h.Fault(0);
        await _h.PodEventsUntilAsync("GpuEvicting");
        await _h.AdvanceAsync(service, TimeSpan.FromMinutes(1));

        Assert.Equal(1, _h.Count("evict", "dry_run"));
        Assert.Equal("2026-03-01T11:30:00Z", _h.Api.NodeAnnotation(Annotation));
        Assert.DoesNotContain(_h.Api.Requests, r => r.Method == "PATCH" && r.Path.StartsWith("/api/v1/nodes/", StringComparison.Ordinal));
        Assert.Equal(0, _h.Api.EvictionCount);
    }

    [Fact]
    public async Task DryRun_TheCountReadAtStartStillStopsTheEviction()
    {
        _h.Api.SetNodeAnnotation(Annotation, "2026-03-01T11:30:00Z,2026-03-01T11:40:00Z");
        await _h.StartServiceAsync(Evict(dryRun: true));

        _h.Fault(0);

        Assert.Contains("eviction_rate", await _h.NextPodEventAfterAsync("RemediationStopped"), StringComparison.Ordinal);
        Assert.Equal(0, _h.Count("evict", "dry_run"));
        Assert.Equal("2026-03-01T11:30:00Z,2026-03-01T11:40:00Z", _h.Api.NodeAnnotation(Annotation));
    }
}
