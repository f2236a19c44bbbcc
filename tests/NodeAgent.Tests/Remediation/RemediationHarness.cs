using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Remediation;

/// <summary>
/// The remediation service wired to real peers over real protocols: the loopback HTTPS fake API server,
/// the kubelet pod-resources fake on a Unix socket (read through the agent's attribution refresher), two
/// simulated GPUs behind the real health tracker, an in-memory Ray GCS and a fake clock.
/// </summary>
internal sealed class RemediationHarness : IAsyncDisposable
{
    public const string NodeName = "gpu-node-1";
    public const string Namespace = "ml";
    public const string Worker = "rc-gpu-worker-abcde";
    public const string WorkerIp = "10.0.0.5";
    public const string RayNodeId = "a1b2c3d4";
    public const string Gcs = "rc-head-svc.ml.svc:6379";
    public static readonly string Gpu0 = SimulatedGpuDriver.UuidFor(0);
    public static readonly string Gpu1 = SimulatedGpuDriver.UuidFor(1);

    public static readonly IReadOnlyDictionary<string, string> WorkerLabels = new Dictionary<string, string>
    {
        ["ray.io/cluster"] = "rc",
        ["ray.io/group"] = "gpu",
        ["ray.io/node-type"] = "worker",
        ["ray.io/is-ray-node"] = "yes",
    };

    private readonly DirectoryInfo _temp;
    private readonly List<GpuRemediationService> _services = [];
    private readonly List<V1.PodResources> _pods = [];
    private NodeEventPublisher? _nodeEvents;

    private RemediationHarness(DirectoryInfo temp, FakeKubernetesApi api, FakePodResources podResources)
    {
        _temp = temp;
        Api = api;
        PodResources = podResources;
        Runtime = new GpuRuntime(Options.Create(new GpuOptions { Driver = "simulated", Simulated = new SimulatedGpuOptions { Count = 2 } }), Time, NullLogger<GpuRuntime>.Instance);
        Tracker = new GpuHealthTracker(Runtime.Discovery, Options.Create(new HealthOptions()), Time);
        Kubernetes = new KubernetesConnection(api.WriteKubeconfig(temp.FullName), inCluster: false, NullLogger<KubernetesConnection>.Instance);
        PodResourcesClient = new PodResourcesClient(Path.Combine(temp.FullName, "pod-resources.sock"), 4 * 1024 * 1024);
        Attribution = new PodAttributionRefresher(PodResourcesClient, Kubernetes, Runtime, Options.Create(new MetricsOptions()), Time, NullLogger<PodAttributionRefresher>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public FakeKubernetesApi Api { get; }

    public FakePodResources PodResources { get; }

    public InMemoryRayGcs Ray { get; } = new();

    public GpuRuntime Runtime { get; }

    public GpuHealthTracker Tracker { get; }

    public KubernetesConnection Kubernetes { get; }

    public PodResourcesClient PodResourcesClient { get; }

    public PodAttributionRefresher Attribution { get; }

    public AgentMetrics Metrics { get; } = new();

    public RecordingLoggerProvider Logs { get; } = new();

    /// <summary>A worker of cluster rc on this node holding GPU 0, known to Ray at its IP.</summary>
    public static async Task<RemediationHarness> StartAsync(bool worker = true)
    {
        // Unix socket paths must stay under 108 bytes: a short directory straight under /tmp.
        var temp = Directory.CreateDirectory(Path.Combine("/tmp", "rm-" + Guid.NewGuid().ToString("N")[..8]));
        var api = await FakeKubernetesApi.StartAsync(NodeName);
        var podResources = await FakePodResources.StartAsync(Path.Combine(temp.FullName, "pod-resources.sock"));
        var harness = new RemediationHarness(temp, api, podResources);
        if (worker)
        {
            harness.AddPod(Worker, WorkerIp, WorkerLabels, Gpu0);
            harness.Ray.AddNode(Gcs, WorkerIp, RayNodeId);
        }

        return harness;
    }

    public void AddPod(string name, string ip, IReadOnlyDictionary<string, string> labels, string gpu, string nodeName = NodeName, string @namespace = Namespace)
    {
        Api.AddPod(@namespace, name, nodeName, ip, labels);
        _pods.Add(FakePodResources.Pod(@namespace, name, "ray-worker", "nvidia.com/gpu", gpu));
        PodResources.SetPods([.. _pods]);
    }

    /// <summary>Starts a service (a second call is an agent restart over the same cluster) after one attribution refresh.</summary>
    public async Task<GpuRemediationService> StartServiceAsync(RemediationOptions options)
    {
        await Attribution.RefreshAsync(PodResourcesClient, CancellationToken.None).DefaultTimeout();
        _nodeEvents ??= await StartNodeEventsAsync();
        using var factory = LoggerFactory.Create(b => b.AddProvider(Logs));
        var service = new GpuRemediationService(Kubernetes, Tracker, Attribution, Ray, _nodeEvents, Metrics, Options.Create(options),
            Options.Create(new NodeOptions { Name = NodeName }), Time, factory.CreateLogger<GpuRemediationService>());
        _services.Add(service);
        await service.StartAsync(CancellationToken.None).DefaultTimeout();
        await service.Idle.DefaultTimeout();
        return service;
    }

    private async Task<NodeEventPublisher> StartNodeEventsAsync()
    {
        var publisher = new NodeEventPublisher(Kubernetes, Tracker, Options.Create(new NodeOptions { Name = NodeName }), NullLogger<NodeEventPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None).DefaultTimeout();
        return publisher;
    }

    public void Fault(int gpu, ulong xid = 79) => Assert.True(Tracker.OnEvent(new GpuEvent(SimulatedGpuDriver.UuidFor(gpu), GpuEventKind.Xid, xid)));

    /// <summary>A GPU reset: the next probe sees a new reset generation and the fatal fault clears.</summary>
    public void Recover(int gpu)
    {
        var device = Runtime.Discovery.Devices[gpu];
        Runtime.Simulator!.Reset(gpu);
        Assert.True(Tracker.OnProbe(device, Runtime.Driver!.Probe(device)));
        Assert.Equal(GpuHealthState.Healthy, Tracker.StateOf(device.Uuid));
    }

    /// <summary>Moves the clock once the service waits, then waits for it to finish the pass that follows.</summary>
    public async Task AdvanceAsync(GpuRemediationService service, TimeSpan by)
    {
        await service.Idle.DefaultTimeout();
        Time.Advance(by);
        await Task.Yield();
        await service.Idle.DefaultTimeout();
    }

    public JsonObject? WorkerCondition(string pod = Worker) => Api.Condition(Namespace, pod, "raygpu.io/GPUHealthy");

    /// <summary>The next pod Event's reason and note.</summary>
    public async Task<(string Reason, string Note, string Type)> NextPodEventAsync()
    {
        var request = await Api.PodEvents.Reader.ReadAsync().AsTask().DefaultTimeout();
        var body = JsonNode.Parse(request.Body)!;
        return ((string)body["reason"]!, (string)body["note"]!, (string)body["type"]!);
    }

    /// <summary>Reads pod Events until one with the reason comes; returns the reasons seen on the way, that one last.</summary>
    public async Task<List<string>> PodEventsUntilAsync(string reason)
    {
        var seen = new List<string>();
        while (true)
        {
            var next = await NextPodEventAsync();
            seen.Add(next.Reason);
            if (next.Reason == reason)
            {
                return seen;
            }
        }
    }

    /// <summary>Reads pod Events until one with the reason comes; returns its note.</summary>
    public async Task<string> NextPodEventAfterAsync(string reason)
    {
        while (true)
        {
            var next = await NextPodEventAsync();
            if (next.Reason == reason)
            {
                return next.Note;
            }
        }
    }

    public List<string> DrainPodEvents()
    {
        var reasons = new List<string>();
        while (Api.PodEvents.Reader.TryRead(out var request))
        {
            reasons.Add((string)JsonNode.Parse(request.Body)!["reason"]!);
        }

        return reasons;
    }

    public long Count(string action, string result) => Metrics.Remediation.Remediations.GetValueOrDefault((action, result));

    public long Trips(string rail) => Metrics.Remediation.RailTrips.GetValueOrDefault(rail);

    public async Task StopServicesAsync()
    {
        foreach (var service in _services)
        {
            await service.StopAsync(CancellationToken.None).DefaultTimeout();
        }

        _services.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopServicesAsync();
        if (_nodeEvents is not null)
        {
            await _nodeEvents.StopAsync(CancellationToken.None).DefaultTimeout();
        }

        PodResourcesClient.Dispose();
        Kubernetes.Dispose();
        Runtime.Dispose();
        await Api.DisposeAsync();
        await PodResources.DisposeAsync();
        _temp.Delete(recursive: true);
    }
}
