using System.Globalization;
using System.Text.Json.Nodes;
using Platform.Sandbox.Agent;
using Platform.Sandbox.Kubelet;
using Platform.Sandbox.Output;
using Ray.Rpc.Autoscaler;

namespace Platform.Sandbox.Scenario;

/// <summary>
/// Step 6: the agent's remediation of step 5's fault, watched from the other side of each protocol: the pod condition
/// and Event at the fake API server, DrainNode at the simulated GCS, the Ray node draining and dying, the eviction;
/// then KubeRay's part (a new worker of the group, through the webhook, onto a healthy GPU) and the GPU's reset.
/// Each stage must come within <see cref="StageTimeout"/>, or the run fails naming the stage that did not.
/// </summary>
internal sealed partial class SandboxScenario
{
    public const string ConditionType = "raygpu.io/GPUHealthy";
    private const string RemediationStep = "step 6 (remediation)";

    /// <summary>Bound on each stage: far above what the agent needs on a busy machine, far below the agent's drain timeout plus polling slack.</summary>
    private static readonly TimeSpan StageTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a drained worker's raylet takes to exit in the simulated cluster.</summary>
    private static readonly TimeSpan RayletExitDelay = TimeSpan.FromSeconds(1);

    private readonly JsonObject _remediation = new();
    private (ScenarioPod Pod, PodAdmission? Placement)? _replacement;

    private async Task RemediateAsync(SandboxEnvironment environment, InjectedFault fault, CancellationToken cancellationToken)
    {
        _step = RemediationStep;
        output.Step(6, "Remediation: the agent drains the Ray worker through Ray's GCS, then evicts it; KubeRay replaces it on a healthy GPU");
        var api = environment.Api!;
        var gcs = environment.Gcs!;
        var stages = new JsonArray();
        _remediation["stages"] = stages;
        _document["remediation"] = _remediation;
        void Stage(string name, DateTimeOffset at, string text, Tone tone)
        {
            var seconds = Math.Max(0, (at - fault.At).TotalSeconds);
            output.Line(string.Create(CultureInfo.InvariantCulture, $"+{seconds,6:0.00} s  {text}"), tone);
            stages.Add((JsonNode)new JsonObject { ["stage"] = name, ["seconds"] = Math.Round(seconds, 3) });
        }

        if (fault.Worker is not { } worker)
        {
            output.Line("no Ray worker holds a GPU here: nothing for the agent to remediate", Tone.Warn);
        }
        else
        {
            output.Progress($"agent: Remediation:Mode=Evict, DrainTimeout {AgentRunner.DrainTimeout.TotalSeconds:0} s, GCS {gcs.Address}; times from the XID");
            var (ns, name) = (worker.Namespace, worker.Name);
            var ip = api.Pod(ns, name)?["status"]?["podIP"]?.ToString() ?? string.Empty;

            await api.WaitUntilAsync(a => a.ConditionChanges().Any(c => c.Namespace == ns && c.Name == name && c.Type == ConditionType && c.Status == "False"), StageTimeout,
                $"the agent did not set condition {ConditionType}=False on pod {ns}/{name}", cancellationToken).ConfigureAwait(false);
            var condition = api.ConditionChanges().First(c => c.Namespace == ns && c.Name == name && c.Type == ConditionType);
            Stage("condition", condition.At, $"pod {name}: condition {ConditionType}=False ({condition.Reason}): {condition.Message}", Tone.Warn);
            await api.WaitUntilAsync(a => a.Events().Any(e => e.Name == name && e.Reason == "GpuFault"), StageTimeout,
                $"the agent did not post a GpuFault Event about pod {ns}/{name}", cancellationToken).ConfigureAwait(false);
            var warning = api.Events().First(e => e.Name == name && e.Reason == "GpuFault");
            Stage("event", warning.At, $"pod Event {warning.Type} {warning.Reason}: {warning.Note}", Tone.Warn);

            await gcs.WaitUntilAsync(g => g.Drains().Any(d => d.Node?.PodName == name), StageTimeout,
                $"the agent did not call DrainNode on the simulated GCS for {name}'s Ray node ({ip})", cancellationToken).ConfigureAwait(false);
            var drain = gcs.Drains().First(d => d.Node?.PodName == name);
            var deadline = DateTimeOffset.FromUnixTimeMilliseconds(drain.DeadlineTimestampMs) - drain.At;
            Stage("drainNode", drain.At, string.Create(CultureInfo.InvariantCulture,
                $"GCS: DrainNode for Ray node {drain.NodeId[..12]}… ({ip}), {drain.ReasonName}, deadline in {deadline.TotalSeconds:0} s, \"{drain.ReasonMessage}\" → {(drain.Accepted ? "accepted, node DRAINING" : "rejected: " + drain.RejectionReason)}"),
                drain.Accepted ? Tone.Plain : Tone.Bad);
            _remediation["nodeId"] = drain.NodeId;
            _remediation["reason"] = drain.ReasonName;
            _remediation["reasonMessage"] = drain.ReasonMessage;
            _remediation["deadlineSeconds"] = Math.Round(deadline.TotalSeconds, 1);
            _remediation["accepted"] = drain.Accepted;

            await gcs.WaitUntilAsync(g => g.Nodes().Any(n => n.PodName == name && n.Status == NodeStatus.Dead), StageTimeout,
                $"Ray node of {name} did not turn DEAD", cancellationToken).ConfigureAwait(false);
            var dead = gcs.Nodes().First(n => n.PodName == name);
            Stage("drained", dead.Since, "GCS: Ray node DEAD: the raylet finished its work and exited; Ray schedules nothing there", Tone.Plain);

            await api.WaitUntilAsync(a => a.Evictions().Any(e => e.Namespace == ns && e.Name == name && e.Code == 201), StageTimeout,
                $"the agent did not evict pod {ns}/{name} after Ray drained it", cancellationToken).ConfigureAwait(false);
            foreach (var refused in api.Evictions().Where(e => e.Namespace == ns && e.Name == name && e.Code != 201))
            {
                Stage("evictionRefused", refused.At, $"eviction of {name} answered {refused.Code}", Tone.Warn);
            }

            var eviction = api.Evictions().First(e => e.Namespace == ns && e.Name == name && e.Code == 201);
            Stage("eviction", eviction.At, $"eviction: POST pods/{name}/eviction → 201; the pod is deleted and GPU {fault.Gpu} released", Tone.Warn);
            _remediation["pod"] = name;
            _remediation["evicted"] = true;
            await PlaceReplacementAsync(environment, worker, fault, Stage, cancellationToken).ConfigureAwait(false);
        }

        await ResetAsync(environment, fault, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>KubeRay keeps the group's replicas: a new worker of the group, through the webhook, placed by the kubelet.</summary>
    private async Task PlaceReplacementAsync(SandboxEnvironment environment, ScenarioPod worker, InjectedFault fault, Action<string, DateTimeOffset, string, Tone> stage, CancellationToken cancellationToken)
    {
        var replacement = await AdmitOneAsync(environment, worker.Preview, cancellationToken).ConfigureAwait(false);
        var placement = await PlaceAsync(environment, replacement, cancellationToken).ConfigureAwait(false);
        if (placement is { Admitted: true })
        {
            var got = placement.Allocations.SelectMany(a => a.DeviceIds).ToList();
            var avoided = !got.Contains(fault.Uuid);
            stage("replacement", TimeProvider.System.GetUtcNow(),
                $"KubeRay recreated the worker: {replacement.Name} admitted on GPU {Indexes(got)}{(avoided ? $", avoiding GPU {fault.Gpu}" : " (the failed GPU!)")}; its raylet joined the GCS",
                avoided ? Tone.Good : Tone.Bad);
        }

        _replacement = (replacement, placement);
        _remediation["replacement"] = PlacementJson(replacement, placement);
    }

    /// <summary>The failed GPU is reset and comes back; a replacement that found no healthy GPU free is placed again.</summary>
    private async Task ResetAsync(SandboxEnvironment environment, InjectedFault fault, CancellationToken cancellationToken)
    {
        var agent = environment.Agent!;
        var reset = await agent.SimulateAsync(string.Create(CultureInfo.InvariantCulture, $"reset?gpu={fault.Gpu}"), cancellationToken).ConfigureAwait(false);
        output.Line($"reset: POST /simulator/reset?gpu={fault.Gpu} → {reset}");
        await environment.Kubelet!.WaitUntilAsync(k => k.Devices().Count(d => d.Healthy) == arguments.Gpus, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        output.Line($"kubelet: ListAndWatch reports GPU {fault.Gpu} Healthy again; allocatable {Resource} {arguments.Gpus} of {arguments.Gpus}", Tone.Good);
        if (_replacement is ({ } replacement, { Admitted: false }))
        {
            var placement = await PlaceAsync(environment, replacement, cancellationToken).ConfigureAwait(false);
            _replacement = (replacement, placement);
            _remediation["replacementAfterReset"] = PlacementJson(replacement, placement);
            if (placement is { Admitted: true })
            {
                output.Line($"replacement {replacement.Name}: admitted on GPU {Indexes(placement.Allocations.SelectMany(a => a.DeviceIds))} once the node had a healthy GPU free", Tone.Good);
            }
        }

        // Also wait for the replacement in the attribution, so the last table shows where it went.
        var replaced = _replacement is ({ } pod, { Admitted: true }) ? $"{pod.Namespace}/{pod.Name}" : null;
        var rows = await agent.WaitForMetricsAsync(
            r => r.Any(x => x.Uuid == fault.Uuid) && r.All(x => x.Uuid != fault.Uuid || x.Health == "healthy") && (replaced is null || r.Any(x => x.Pod == replaced)),
            "the GPU healthy again", cancellationToken).ConfigureAwait(false);
        WriteMetrics(rows);
        _fault["after"] = MetricsJson(rows);
        _fault["kubeletRecovered"] = true;
    }
}
