using System.Globalization;
using System.Text.Json.Nodes;
using Platform.Sandbox.Agent;
using Platform.Sandbox.Kubelet;
using Platform.Sandbox.Output;

namespace Platform.Sandbox.Scenario;

/// <summary>Steps 4 and 5: GPU pods onto the simulated node through the kubelet simulator, metrics and a fault on a Ray worker's GPU.</summary>
internal sealed partial class SandboxScenario
{
    private const string ScheduleStep = "step 4 (scheduling)";
    private const string FaultStep = "step 5 (metrics and fault)";

    private readonly JsonObject _schedule = new();
    private readonly JsonObject _fault = new();
    private int _rejected;

    private async Task<List<(ScenarioPod Pod, PodAdmission Admission)>> ScheduleAsync(SandboxEnvironment environment, IReadOnlyList<ScenarioPod> pods, CancellationToken cancellationToken)
    {
        _step = ScheduleStep;
        output.Step(4, $"Scheduling: GPU pods onto {NodeName} (GetPreferredAllocation, then Allocate)");
        var placed = new List<(ScenarioPod, PodAdmission)>();
        var skipped = new JsonArray();
        foreach (var pod in pods.Where(p => p.Admission.Allowed))
        {
            if (pod.GpusAfter == 0)
            {
                continue;
            }

            if (await PlaceAsync(environment, pod, cancellationToken).ConfigureAwait(false) is { } admission)
            {
                placed.Add((pod, admission));
            }
            else
            {
                skipped.Add((JsonNode)pod.Name);
            }
        }

        var withoutGpu = pods.Where(p => p.Admission.Allowed && p.GpusAfter == 0).ToList();
        if (withoutGpu.Count > 0)
        {
            // They run elsewhere, but they are Ray nodes all the same: the GCS lists them at their CPU nodes' pod addresses.
            foreach (var (pod, i) in withoutGpu.Select((p, i) => (p, i)))
            {
                _ = environment.Gcs!.Join(pod.Namespace, pod.Name, string.Create(CultureInfo.InvariantCulture, $"10.244.0.{i + 2}"), pod.Group, pod.NodeType, 0);
            }

            output.Progress($"{withoutGpu.Count} pod(s) without a GPU limit (head, CPU workers) belong on CPU nodes, not here");
        }

        WriteAllocations(placed.Where(p => p.Item2.Admitted).ToList());
        var firstAdmitted = placed.FirstOrDefault(p => p.Item2.Admitted);
        if (firstAdmitted.Item2 is { } detail)
        {
            foreach (var allocation in detail.Allocations)
            {
                output.Line($"{firstAdmitted.Item1.Name} / {allocation.Container} gets from Allocate:", Tone.Bold);
                output.Line("  env      " + string.Join(" ", allocation.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")));
                output.Line("  devices  " + (allocation.DeviceNodes.Count > 0 ? string.Join(", ", allocation.DeviceNodes) : "(none: the NVIDIA container runtime adds them from the env)"));
                if (allocation.CdiDevices.Count > 0)
                {
                    output.Line("  CDI      " + string.Join(", ", allocation.CdiDevices));
                }
            }
        }

        // Scale the first GPU worker group up until the node is full: the pod that does not fit shows what the kubelet says.
        var scaled = new JsonArray();
        if (placed.FirstOrDefault(p => p.Item2.Admitted).Item1 is { } template)
        {
            var extra = new List<ScenarioPod>();
            for (var i = 0; i <= arguments.Gpus; i++)
            {
                var pod = await AdmitOneAsync(environment, template.Preview, cancellationToken).ConfigureAwait(false);
                var admission = await PlaceAsync(environment, pod, cancellationToken).ConfigureAwait(false);
                scaled.Add((JsonNode)PlacementJson(pod, admission));
                if (admission is not { Admitted: true })
                {
                    break;
                }

                extra.Add(pod);
                output.Line($"scale-up {pod.Name}: admitted on GPU {Indexes(admission.Allocations.SelectMany(a => a.DeviceIds))}", Tone.Good);
            }

            foreach (var pod in extra)
            {
                Delete(environment, pod);
            }

            if (extra.Count > 0)
            {
                output.Progress($"scaled {template.Group} back down: {extra.Count} extra pod(s) deleted, their GPUs free again");
            }
        }

        _schedule["pods"] = new JsonArray([.. placed.Select(p => (JsonNode)PlacementJson(p.Item1, p.Item2))]);
        _schedule["notPlaced"] = skipped;
        _schedule["scaleUp"] = scaled;
        _document["scheduling"] = _schedule;
        return [.. placed.Where(p => p.Item2.Admitted)];
    }

    /// <summary>Node checks, then the kubelet; prints and returns the kubelet's answer, or null when the pod does not belong on this node.</summary>
    private async Task<PodAdmission?> PlaceAsync(SandboxEnvironment environment, ScenarioPod pod, CancellationToken cancellationToken)
    {
        if (NodeFit.Check(pod.Pod, environment.Api!.NodeLabels(), environment.Api.NodeTaints()) is { } misfit)
        {
            output.Line($"{pod.Name}: not scheduled on {NodeName}: {misfit}", Tone.Warn);
            return null;
        }

        var ip = environment.Api.AddPod(pod.Pod);
        var request = new PodRequest(pod.Namespace, pod.Name, [.. (pod.Pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => new ContainerRequest(c["name"]?.ToString() ?? string.Empty, new Dictionary<string, int>(StringComparer.Ordinal) { [Resource] = ScenarioPod.Gpus(new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(c.DeepClone()) } }, Resource) }))]);
        var admission = await environment.Kubelet!.AdmitAsync(request, cancellationToken).ConfigureAwait(false);
        if (!admission.Admitted)
        {
            _rejected++;
            environment.Api.RemovePod(pod.Namespace, pod.Name);
            output.Line($"{pod.Name}: rejected by the kubelet: {admission.Reason}: {admission.Message}", Tone.Bad);
        }
        else
        {
            // The Ray container starts and its raylet registers with the GCS at the pod's IP.
            _ = environment.Gcs!.Join(pod.Namespace, pod.Name, ip, pod.Group, pod.NodeType, pod.GpusAfter);
        }

        return admission;
    }

    private void WriteAllocations(IReadOnlyList<(ScenarioPod Pod, PodAdmission Admission)> placed) =>
        output.Table(
            ["POD", "GROUP", "GPUS", "PREFERRED", "NVIDIA_VISIBLE_DEVICES"],
            placed.Select(p => (IReadOnlyList<string>)
            [
                p.Pod.Name,
                p.Pod.Group,
                Indexes(p.Admission.Allocations.SelectMany(a => a.DeviceIds)),
                Indexes(p.Admission.Allocations.SelectMany(a => a.Preferred)),
                string.Join(",", p.Admission.Allocations.Select(a => a.Environment.GetValueOrDefault("NVIDIA_VISIBLE_DEVICES", "-"))),
            ]));

    private JsonObject PlacementJson(ScenarioPod pod, PodAdmission? admission) => new()
    {
        ["pod"] = pod.Name,
        ["group"] = pod.Group,
        ["admitted"] = admission?.Admitted ?? false,
        ["reason"] = admission is null ? "NodeMismatch" : admission.Reason,
        ["message"] = admission?.Message,
        ["gpus"] = new JsonArray([.. (admission?.Allocations ?? []).SelectMany(a => a.DeviceIds).Select(id => (JsonNode)Index(id))]),
        ["preferred"] = new JsonArray([.. (admission?.Allocations ?? []).SelectMany(a => a.Preferred).Select(id => (JsonNode)Index(id))]),
        ["env"] = new JsonObject([.. (admission?.Allocations ?? []).SelectMany(a => a.Environment).DistinctBy(e => e.Key).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))]),
        ["devices"] = new JsonArray([.. (admission?.Allocations ?? []).SelectMany(a => a.DeviceNodes).Select(d => (JsonNode)d)]),
    };

    private static void Delete(SandboxEnvironment environment, ScenarioPod pod)
    {
        if (environment.Api!.Pod(pod.Namespace, pod.Name)?["status"]?["podIP"]?.ToString() is { } ip)
        {
            environment.Gcs!.PodGone(ip);
        }

        environment.Kubelet!.Remove(pod.Namespace, pod.Name);
        environment.Api.RemovePod(pod.Namespace, pod.Name);
    }

    private async Task<InjectedFault> FaultAsync(SandboxEnvironment environment, List<(ScenarioPod Pod, PodAdmission Admission)> placed, CancellationToken cancellationToken)
    {
        _step = FaultStep;
        output.Step(5, "Metrics and a fault: pod and Ray attribution, XID 79 on a Ray worker's GPU");
        var agent = environment.Agent!;
        var kubelet = environment.Kubelet!;
        var expected = placed.Select(p => $"{p.Pod.Namespace}/{p.Pod.Name}").ToHashSet(StringComparer.Ordinal);
        var rows = await agent.WaitForMetricsAsync(r => expected.IsSubsetOf(r.Select(x => x.Pod)), "every admitted pod", cancellationToken).ConfigureAwait(false);
        WriteMetrics(rows);
        _fault["before"] = MetricsJson(rows);

        // The victim is a GPU a Ray worker is using, as in production: the worker loses its GPU.
        var victim = placed.LastOrDefault(p => p.Pod.NodeType == "worker");
        var uuid = victim.Admission?.Allocations.SelectMany(a => a.DeviceIds).First() ?? kubelet.Devices().First().Id;
        var gpu = _gpuIndex.GetValueOrDefault(uuid);
        var at = TimeProvider.System.GetUtcNow();
        var answer = await agent.SimulateAsync(string.Create(CultureInfo.InvariantCulture, $"xid?gpu={gpu}&xid=79"), cancellationToken).ConfigureAwait(false);
        output.Line($"injected: POST /simulator/xid?gpu={gpu}&xid=79 → {answer}" + (victim.Pod is { } held ? $" (held by Ray worker {held.Name})" : string.Empty), Tone.Warn);
        await kubelet.WaitUntilAsync(k => k.Devices().Any(d => d.Id == uuid && !d.Healthy), TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        var healthy = kubelet.Devices().Count(d => d.Healthy);
        output.Line($"kubelet: ListAndWatch reports GPU {gpu} Unhealthy; allocatable {Resource} now {healthy} of {arguments.Gpus}", Tone.Bad);
        rows = await agent.WaitForMetricsAsync(r => r.Any(x => x.Uuid == uuid && x.Health == "unhealthy" && x.LastXid == 79), "the GPU unhealthy with XID 79", cancellationToken).ConfigureAwait(false);
        WriteMetrics(rows);
        _fault["gpu"] = gpu;
        _fault["uuid"] = uuid;
        _fault["pod"] = victim.Pod?.Name;
        _fault["kubeletUnhealthy"] = true;
        _fault["during"] = MetricsJson(rows);
        foreach (var nodeEvent in environment.Api!.Events().Where(e => e.Kind == "Node").TakeLast(2))
        {
            output.Line($"Node Event {nodeEvent.Type} {nodeEvent.Reason}: {nodeEvent.Note}", nodeEvent.Type == "Warning" ? Tone.Warn : Tone.Plain);
        }

        _document["fault"] = _fault;
        return new InjectedFault(victim.Pod, uuid, gpu, at);
    }

    private void WriteMetrics(IReadOnlyList<GpuRow> rows) =>
        output.Table(
            ["GPU", "POD", "RAY CLUSTER/GROUP", "UTIL", "MEMORY", "HEALTH"],
            rows.Select(r => (IReadOnlyList<string>)
            [
                r.Gpu.ToString(CultureInfo.InvariantCulture),
                r.Pod.Length > 0 ? r.Pod : "-",
                r.RayCluster.Length > 0 ? $"{r.RayCluster}/{r.RayGroup}" : "-",
                string.Create(CultureInfo.InvariantCulture, $"{r.UtilizationPercent:0}%"),
                string.Create(CultureInfo.InvariantCulture, $"{r.MemoryUsedMiB / 1024:0.0}/{r.MemoryTotalMiB / 1024:0} GiB"),
                r.Health + (r.LastXid > 0 ? string.Create(CultureInfo.InvariantCulture, $" (last XID {r.LastXid})") : string.Empty),
            ]),
            row => row[5].StartsWith("unhealthy", StringComparison.Ordinal) ? Tone.Bad : Tone.Plain);

    private static JsonArray MetricsJson(IReadOnlyList<GpuRow> rows) =>
        new([.. rows.Select(r => (JsonNode)new JsonObject
        {
            ["gpu"] = r.Gpu,
            ["uuid"] = r.Uuid,
            ["pod"] = r.Pod,
            ["rayCluster"] = r.RayCluster,
            ["rayGroup"] = r.RayGroup,
            ["utilizationPercent"] = r.UtilizationPercent,
            ["memoryUsedMiB"] = r.MemoryUsedMiB,
            ["memoryTotalMiB"] = r.MemoryTotalMiB,
            ["health"] = r.Health,
            ["lastXid"] = r.LastXid,
        })]);

    private void Summarize(SandboxEnvironment environment, IReadOnlyList<ScenarioPod> pods)
    {
        _step = "step 7 (summary)";
        output.Step(7, "Summary");
        var changed = pods.Count(p => p.Admission.Allowed && p.Admission.Operations.Count > 0);
        var denied = pods.Count(p => !p.Admission.Allowed);
        var gpuPods = environment.Kubelet!.Pods().Count;
        output.Line($"webhook: {pods.Count} pod(s) admitted over HTTPS: {changed} changed, {pods.Count - changed - denied} unchanged, {denied} denied");
        output.Line($"kubelet: {gpuPods} GPU pod(s) running on {NodeName}, {_rejected} rejection(s) shown; {environment.Kubelet.Devices().Count(d => d.Healthy)} of {arguments.Gpus} GPUs healthy");
        output.Line($"fault: GPU {_fault["gpu"]} went unhealthy on XID 79 (ListAndWatch, metrics, a Node Event) and recovered after a reset", Tone.Good);
        if (_remediation["evicted"] is not null)
        {
            output.Line($"remediation: {_remediation["pod"]} marked, drained through Ray's GCS, evicted; KubeRay's replacement {_replacement?.Pod.Name} runs on a healthy GPU", Tone.Good);
        }

        output.Line("check your own manifests without starting anything: dotnet run --project src/Webhook -- mutate --policy <policy> <manifest>", Tone.Dim);
        _document["summary"] = new JsonObject
        {
            ["pods"] = pods.Count,
            ["changed"] = changed,
            ["denied"] = denied,
            ["gpuPodsRunning"] = gpuPods,
            ["rejections"] = _rejected,
            ["healthyGpus"] = environment.Kubelet.Devices().Count(d => d.Healthy),
            ["gpus"] = arguments.Gpus,
        };
    }
}
