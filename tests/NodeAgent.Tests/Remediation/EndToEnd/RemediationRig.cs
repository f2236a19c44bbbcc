using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Remediation.Ray;
using Platform.NodeAgent.Tests.Fakes;
using V1;

namespace Platform.NodeAgent.Tests.Remediation.EndToEnd;

/// <summary>An Event the agent posted: its reason, the pod it regards, its note.</summary>
internal sealed record SeenEvent(string Reason, string? Namespace, string? Pod, string Note, string Type);

/// <summary>
/// Everything remediation talks to, over real protocols: the agent host (simulated GPUs, XIDs injected
/// through its simulator endpoints), the fake kubelet and pod-resources API on Unix sockets, the loopback
/// HTTPS Kubernetes API, and the grpc-js fake Ray GCS. The agent can be stopped and started again on the
/// same fakes (a restart).
/// </summary>
internal sealed class RemediationRig : IAsyncDisposable
{
    public const string NodeName = "gpu-node-1";
    public const string DefaultGcsAddress = "{cluster}-head-svc.{namespace}.svc:6379";

    // Unix socket paths must stay under 108 bytes: a short directory straight under /tmp.
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "rr-" + Guid.NewGuid().ToString("N")[..8]));
    private readonly List<PodResources> _podResources = [];
    private readonly List<SeenEvent> _events = [];
    private readonly string[] _settings;
    private readonly Channel<HealthTransition> _transitions = Channel.CreateUnbounded<HealthTransition>();
    private FakeKubelet _kubelet = null!;

    private RemediationRig(string[] settings)
    {
        _settings = settings;
    }

    public FakeKubernetesApi Api { get; private set; } = null!;

    public FakeRayGcs Gcs { get; private set; } = null!;

    public FakePodResources PodResources { get; private set; } = null!;

    public WebApplication? Agent { get; private set; }

    public RedirectedRayGcs? RayGcs { get; private set; }

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Starts the fakes; <paramref name="settings"/> are agent settings (<c>Remediation:Mode=Evict</c>) on top of fast test timings.</summary>
    public static async Task<RemediationRig> StartAsync(params string[] settings)
    {
        var rig = new RemediationRig(settings);
        rig._kubelet = await FakeKubelet.StartAsync(rig._temp.FullName);
        rig.PodResources = await FakePodResources.StartAsync(Path.Combine(rig._temp.FullName, "pod-resources.sock"));
        rig.Api = await FakeKubernetesApi.StartAsync(NodeName);
        rig.Gcs = await FakeRayGcs.StartAsync();
        return rig;
    }

    public static string GpuUuid(int index) => SimulatedGpuDriver.UuidFor(index);

    public static Dictionary<string, string> Worker(string cluster = "rc") =>
        new() { ["ray.io/cluster"] = cluster, ["ray.io/group"] = "gpu", ["ray.io/node-type"] = "worker", ["ray.io/is-ray-node"] = "yes" };

    public static Dictionary<string, string> Head(string cluster = "rc") =>
        new() { ["ray.io/cluster"] = cluster, ["ray.io/group"] = "headgroup", ["ray.io/node-type"] = "head", ["ray.io/is-ray-node"] = "yes" };

    /// <summary>A pod on this node holding GPU <paramref name="gpu"/>: known to the API server and to pod-resources.</summary>
    public void AddPod(string @namespace, string name, string podIp, Dictionary<string, string> labels, int gpu, string? nodeName = null)
    {
        Api.AddPod(@namespace, name, nodeName ?? NodeName, podIp, labels, uid: "uid-" + name);
        _podResources.Add(FakePodResources.Pod(@namespace, name, "ray-node", "nvidia.com/gpu", GpuUuid(gpu)));
        PodResources.SetPods([.. _podResources]);
    }

    /// <summary>Builds and starts the agent; waits until pod-resources attributes every GPU held by a pod.</summary>
    public async Task StartAgentAsync()
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:Count=4",
            "--Health:ProbeInterval=00:00:00.100",
            "--Health:QuietPeriod=00:00:00.300",
            "--Metrics:SampleInterval=00:00:00.200",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
            $"--DevicePlugin:KubeletDirectory={_temp.FullName}",
            $"--Kubernetes:Kubeconfig={Api.WriteKubeconfig(_temp.FullName)}",
            $"--Node:Name={NodeName}",
            "--Remediation:StatusPollInterval=00:00:00.100",
            "--Remediation:EvictionRetryInitial=00:00:00.100",
            "--Remediation:EvictionRetryMax=00:00:00.400",
            .. _settings.Select(s => "--" + s),
        ];
        Agent = NodeAgentApp.Build(args, services =>
        {
            // The test runner may be a pod itself (DECISIONS 5): the simulated driver is for a laptop here.
            services.AddSingleton(ClusterDetector.None);
            services.RemoveAll<IRayGcs>();
            services.AddSingleton<IRayGcs>(sp =>
            {
                RayGcs = new RedirectedRayGcs(new RayGcsClient(TimeProvider.System), () => Gcs.Address);
                return RayGcs;
            });
        });
        await Agent.StartAsync().DefaultTimeout();

        // After start: remediation subscribed in its constructor, so it has every transition this handler sees.
        Agent.Services.GetRequiredService<GpuHealthTracker>().Subscribe(t => _transitions.Writer.TryWrite(t));
        var address = Agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
        var attribution = Agent.Services.GetRequiredService<PodAttributionRefresher>();
        var held = _podResources.SelectMany(p => p.Containers).SelectMany(c => c.Devices).SelectMany(d => d.DeviceIds).ToHashSet();
        while (true)
        {
            // Take the next-refresh signal before looking, so a refresh finishing in between is not missed.
            var next = attribution.NextRefresh;
            if (held.All(attribution.Attribution.ContainsKey))
            {
                break;
            }

            await next.DefaultTimeout();
        }
    }

    public async Task StopAgentAsync()
    {
        if (Agent is null)
        {
            return;
        }

        Http.Dispose();
        await Agent.StopAsync().DefaultTimeout();
        await Agent.DisposeAsync();
        Agent = null;
    }

    public async Task RestartAgentAsync()
    {
        await StopAgentAsync();
        await StartAgentAsync();
    }

    /// <summary>
    /// Waits until the health tracker has reported each of <paramref name="gpus"/> unhealthy and remediation has
    /// handled every transition so far (its loop idle): what the faults start has had its first step.
    /// </summary>
    public async Task FaultsHandledAsync(params int[] gpus)
    {
        var pending = gpus.Select(GpuUuid).ToHashSet();
        while (pending.Count > 0)
        {
            var transition = await _transitions.Reader.ReadAsync().AsTask().DefaultTimeout();
            if (transition.To == GpuHealthState.Unhealthy)
            {
                pending.Remove(transition.Uuid);
            }
        }

        await Agent!.Services.GetRequiredService<GpuRemediationService>().Idle.DefaultTimeout();
    }

    public Task XidAsync(int gpu, int xid) => PostAsync($"/simulator/xid?gpu={gpu}&xid={xid}");

    public Task ResetAsync(int gpu) => PostAsync($"/simulator/reset?gpu={gpu}");

    /// <summary>The next Node Event with <paramref name="reason"/> (others are dropped).</summary>
    public async Task<SeenEvent> NodeEventAsync(string reason)
    {
        while (true)
        {
            var seen = Parse(await Api.Events.Reader.ReadAsync().AsTask().DefaultTimeout());
            if (seen.Reason == reason)
            {
                return seen;
            }
        }
    }

    /// <summary>The next pod Event with <paramref name="reason"/> (about <paramref name="pod"/> when given); others are kept in <see cref="Events"/>.</summary>
    public async Task<SeenEvent> EventAsync(string reason, string? pod = null)
    {
        lock (_events)
        {
            if (_events.FirstOrDefault(e => e.Reason == reason && (pod is null || e.Pod == pod)) is { } seen)
            {
                _events.Remove(seen);
                return seen;
            }
        }

        while (true)
        {
            var seen = Parse(await Api.PodEvents.Reader.ReadAsync().AsTask().DefaultTimeout());
            if (seen.Reason == reason && (pod is null || seen.Pod == pod))
            {
                return seen;
            }

            lock (_events)
            {
                _events.Add(seen);
            }
        }
    }

    /// <summary>Every pod Event posted so far that <see cref="EventAsync"/> has not taken.</summary>
    public IReadOnlyList<SeenEvent> Events
    {
        get
        {
            while (Api.PodEvents.Reader.TryRead(out var request))
            {
                var seen = Parse(request);
                lock (_events)
                {
                    _events.Add(seen);
                }
            }

            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Every eviction request taken by <see cref="EvictionAsync"/>, for any pod, refused ones included.</summary>
    public List<ApiRequest> SeenEvictions { get; } = [];

    /// <summary>Moves the eviction requests received so far into <see cref="SeenEvictions"/> (before a restart: what came next is the new agent's).</summary>
    public void TakeEvictions()
    {
        while (Api.Evictions.Reader.TryRead(out var request))
        {
            SeenEvictions.Add(request);
        }
    }

    /// <summary>The next eviction request for <paramref name="pod"/>; those for other pods go to <see cref="SeenEvictions"/> too.</summary>
    public async Task<ApiRequest> EvictionAsync(string pod)
    {
        while (true)
        {
            var request = await Api.Evictions.Reader.ReadAsync().AsTask().DefaultTimeout();
            SeenEvictions.Add(request);
            if (request.Path.EndsWith($"/pods/{pod}/eviction", StringComparison.Ordinal))
            {
                return request;
            }
        }
    }

    /// <summary>Eviction requests for <paramref name="pod"/> so far (taken from the server's channel first).</summary>
    public int EvictionsOf(string pod)
    {
        TakeEvictions();
        return SeenEvictions.Count(r => r.Path.EndsWith($"/pods/{pod}/eviction", StringComparison.Ordinal));
    }

    /// <summary>The reason of the pod's <c>raygpu.io/GPUHealthy</c> condition, or null.</summary>
    public string? ConditionReason(string @namespace, string pod) =>
        (string?)Api.Condition(@namespace, pod, RemediationNames.ConditionType)?["reason"];

    public async ValueTask DisposeAsync()
    {
        await StopAgentAsync();
        await Gcs.DisposeAsync();
        await _kubelet.DisposeAsync();
        await PodResources.DisposeAsync();
        await Api.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    private static SeenEvent Parse(ApiRequest request)
    {
        var body = JsonDocument.Parse(request.Body).RootElement;
        var regarding = body.TryGetProperty("regarding", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
        return new SeenEvent(
            body.GetProperty("reason").GetString()!,
            regarding.ValueKind == JsonValueKind.Object && regarding.TryGetProperty("namespace", out var ns) ? ns.GetString() : null,
            regarding.ValueKind == JsonValueKind.Object && regarding.TryGetProperty("name", out var n) ? n.GetString() : null,
            body.TryGetProperty("note", out var note) ? note.GetString() ?? string.Empty : string.Empty,
            body.TryGetProperty("type", out var type) ? type.GetString() ?? string.Empty : string.Empty);
    }

    private async Task PostAsync(string path)
    {
        using var response = await Http.PostAsync(path, null).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
