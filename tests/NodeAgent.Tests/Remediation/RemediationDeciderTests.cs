using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Remediation;

public sealed class RemediationDeciderTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private static readonly RayNodeLookup Running = new(new RayNodeState("ab", "10.0.0.5", RayNodeStatus.Running, 0), RayGcsFailure.None, null);
    private static readonly RayNodeLookup DrainingBusy = new(new RayNodeState("ab", "10.0.0.5", RayNodeStatus.Draining, 0), RayGcsFailure.None, null);
    private static readonly RayNodeLookup DrainingIdle = new(new RayNodeState("ab", "10.0.0.5", RayNodeStatus.Draining, 1500), RayGcsFailure.None, null);
    private static readonly RayNodeLookup Dead = new(new RayNodeState("ab", "10.0.0.5", RayNodeStatus.Dead, 0), RayGcsFailure.None, null);
    private static readonly RayNodeLookup Gone = new(null, RayGcsFailure.None, null);
    private static readonly RayNodeLookup Unreachable = new(null, RayGcsFailure.Unreachable, "down");

    private static RemediationAction Decide(
        RemediationStage stage,
        RemediationMode mode,
        bool worker = true,
        bool recovered = false,
        TimeSpan? elapsed = null,
        DrainProgress drain = DrainProgress.NotRequested,
        RayNodeLookup? ray = null) =>
        RemediationDecider.Next(new RemediationFacts(stage, mode, worker, recovered, Start, Start + (elapsed ?? TimeSpan.Zero), Timeout, drain, ray)).Action;

    public static TheoryData<string, object, object> Table() => new()
    {
        // Modes: what each does after the fault.
        { "off", Decide(RemediationStage.None, RemediationMode.Off), RemediationAction.Nothing },
        { "annotate:new", Decide(RemediationStage.None, RemediationMode.Annotate), RemediationAction.Annotate },
        { "annotate:done", Decide(RemediationStage.Annotated, RemediationMode.Annotate), RemediationAction.Nothing },
        { "drain:worker", Decide(RemediationStage.Annotated, RemediationMode.Drain), RemediationAction.RequestDrain },
        { "drain:accepted", Decide(RemediationStage.Draining, RemediationMode.Drain, drain: DrainProgress.Accepted), RemediationAction.Nothing },
        { "drain:retry", Decide(RemediationStage.Draining, RemediationMode.Drain, drain: DrainProgress.FailedRetryable), RemediationAction.RequestDrain },
        { "drain:final", Decide(RemediationStage.Draining, RemediationMode.Drain, drain: DrainProgress.FailedFinal), RemediationAction.Nothing },
        { "drain:timeout", Decide(RemediationStage.Draining, RemediationMode.Drain, elapsed: Timeout, drain: DrainProgress.FailedRetryable), RemediationAction.Nothing },
        { "evict:worker", Decide(RemediationStage.Annotated, RemediationMode.Evict), RemediationAction.RequestDrain },

        // Head (its mode is lowered to annotate by RemediationModes) and non-Ray pods.
        { "nonray:drain", Decide(RemediationStage.Annotated, RemediationMode.Drain, worker: false), RemediationAction.Nothing },
        { "nonray:evict", Decide(RemediationStage.Annotated, RemediationMode.Evict, worker: false), RemediationAction.Evict },

        // Drain done: DEAD, or DRAINING with idle_duration_ms > 0, or the node left the list.
        { "evict:running", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: TimeSpan.FromMinutes(1), drain: DrainProgress.Accepted, ray: Running), RemediationAction.AwaitDrain },
        { "evict:draining-busy", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: TimeSpan.FromMinutes(1), drain: DrainProgress.Accepted, ray: DrainingBusy), RemediationAction.AwaitDrain },
        { "evict:draining-idle", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: TimeSpan.FromMinutes(1), drain: DrainProgress.Accepted, ray: DrainingIdle), RemediationAction.Evict },
        { "evict:dead", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: TimeSpan.FromMinutes(1), drain: DrainProgress.Accepted, ray: Dead), RemediationAction.Evict },
        { "evict:gone", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: TimeSpan.FromMinutes(1), drain: DrainProgress.Accepted, ray: Gone), RemediationAction.Evict },
        { "evict:gcs-down-after-accept", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: TimeSpan.FromMinutes(1), drain: DrainProgress.Accepted, ray: Unreachable), RemediationAction.AwaitDrain },
        { "evict:dead-but-not-accepted", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: TimeSpan.FromMinutes(1), drain: DrainProgress.FailedFinal, ray: Dead), RemediationAction.AwaitDrain },

        // Timeout: eviction anyway, drain accepted or not; just before it, wait or retry.
        { "evict:timeout-accepted", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: Timeout, drain: DrainProgress.Accepted, ray: DrainingBusy), RemediationAction.Evict },
        { "evict:timeout-gcs-down", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: Timeout, drain: DrainProgress.FailedRetryable), RemediationAction.Evict },
        { "evict:timeout-rejected", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: Timeout, drain: DrainProgress.FailedFinal), RemediationAction.Evict },
        { "evict:before-timeout-gcs-down", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: Timeout - TimeSpan.FromSeconds(1), drain: DrainProgress.FailedRetryable), RemediationAction.RequestDrain },
        { "evict:before-timeout-rejected", Decide(RemediationStage.Draining, RemediationMode.Evict, elapsed: Timeout - TimeSpan.FromSeconds(1), drain: DrainProgress.FailedFinal), RemediationAction.AwaitDrain },

        // Restart: an eviction in progress is continued, never started over or forgotten.
        { "evict:resume-evicting", Decide(RemediationStage.Evicting, RemediationMode.Evict), RemediationAction.Evict },
        { "evict:resume-evicting-lowered", Decide(RemediationStage.Evicting, RemediationMode.Drain), RemediationAction.Nothing },

        // Recovery cancels what has not happened yet; nothing to cancel before anything happened.
        { "recovered:new", Decide(RemediationStage.None, RemediationMode.Evict, recovered: true), RemediationAction.Nothing },
        { "recovered:annotated", Decide(RemediationStage.Annotated, RemediationMode.Annotate, recovered: true), RemediationAction.Cancel },
        { "recovered:draining", Decide(RemediationStage.Draining, RemediationMode.Evict, recovered: true, drain: DrainProgress.Accepted, ray: Dead), RemediationAction.Cancel },
        { "recovered:evicting", Decide(RemediationStage.Evicting, RemediationMode.Evict, recovered: true), RemediationAction.Cancel },
        { "recovered:stopped", Decide(RemediationStage.Stopped, RemediationMode.Evict, recovered: true), RemediationAction.Cancel },
        { "recovered:already", Decide(RemediationStage.Recovered, RemediationMode.Evict, recovered: true), RemediationAction.Nothing },

        // A rail stopped it: nothing more until a person acts or the GPU recovers.
        { "stopped", Decide(RemediationStage.Stopped, RemediationMode.Evict, elapsed: Timeout * 3), RemediationAction.Nothing },
    };

    [Theory]
    [MemberData(nameof(Table))]
    // The enums are internal, so the rows carry them boxed.
    public void Next_Table_GivesTheExpectedStep(string @case, object actual, object expected) =>
        Assert.True(Equals(expected, actual), $"{@case}: expected {expected}, got {actual}");

    [Fact]
    public void Next_Why_NamesTheTimeoutAndWhetherRayWasAsked()
    {
        var accepted = RemediationDecider.Next(new RemediationFacts(RemediationStage.Draining, RemediationMode.Evict, true, false, Start, Start + Timeout, Timeout, DrainProgress.Accepted, DrainingBusy));
        var failed = RemediationDecider.Next(new RemediationFacts(RemediationStage.Draining, RemediationMode.Evict, true, false, Start, Start + Timeout, Timeout, DrainProgress.FailedRetryable, null));
        Assert.Contains("before Ray reported", accepted.Why, StringComparison.Ordinal);
        Assert.Contains("could not be asked", failed.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RayNodeStatus.Running, 0, false)]
    [InlineData(RayNodeStatus.Idle, 5000, false)]
    [InlineData(RayNodeStatus.Draining, 0, false)]
    [InlineData(RayNodeStatus.Draining, 1, true)]
    [InlineData(RayNodeStatus.Dead, 0, true)]
    [InlineData(RayNodeStatus.Unspecified, 0, false)]
    public void Drained_RayNodeState_OnlyDeadOrIdleDraining(object status, long idleMs, bool drained) =>
        Assert.Equal(drained, RemediationDecider.Drained(new RayNodeLookup(new RayNodeState("ab", "ip", (RayNodeStatus)status, idleMs), RayGcsFailure.None, null)));

    [Fact]
    public void Drained_NoAnswer_IsNotDrained()
    {
        Assert.False(RemediationDecider.Drained(null));
        Assert.False(RemediationDecider.Drained(new RayNodeLookup(null, RayGcsFailure.TokenAuthRequired, "token")));
        Assert.True(RemediationDecider.Drained(Gone));
    }
}
