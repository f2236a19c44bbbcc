using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Platform.Sandbox.Hosting;
using V1Beta1;

namespace Platform.Sandbox.Kubelet;

/// <summary>
/// Behaves like the kubelet's device manager towards a device plugin: serves Registration on
/// <c>device-plugins/kubelet.sock</c>, dials each plugin back, keeps the device list ListAndWatch sends, admits pods
/// by GetPreferredAllocation then Allocate for each container, and serves the pod-resources API for what it admitted.
/// Not a scheduler: a pod is sent here when it is meant for this node.
/// </summary>
internal sealed class KubeletSimulator : IAsyncDisposable
{
    public const string Version = "v1beta1";

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _admission = new(1, 1);
    private readonly Dictionary<string, PluginConnection> _plugins = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<SimulatedDevice>> _devices = new(StringComparer.Ordinal);
    private readonly List<PodAdmission> _pods = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ChangeSignal _changed = new();
    private WebApplication? _app;

    private KubeletSimulator(string root)
    {
        DevicePluginDirectory = Path.Combine(root, "device-plugins");
        PodResourcesSocket = Path.Combine(root, "pod-resources", "kubelet.sock");
    }

    public string DevicePluginDirectory { get; }

    public string RegistrationSocket => Path.Combine(DevicePluginDirectory, "kubelet.sock");

    public string PodResourcesSocket { get; }

    /// <summary>Messages about plugins (registered, stream ended) for the caller's progress lines.</summary>
    public event Action<string>? Notice;

    public static async Task<KubeletSimulator> StartAsync(string root, CancellationToken cancellationToken)
    {
        var kubelet = new KubeletSimulator(root);
        Directory.CreateDirectory(kubelet.DevicePluginDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(kubelet.PodResourcesSocket)!);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(kubelet);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(kubelet.RegistrationSocket, o => o.Protocols = HttpProtocols.Http2);
            k.ListenUnixSocket(kubelet.PodResourcesSocket, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapGrpcService<RegistrationService>();
        app.MapGrpcService<PodResourcesService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        kubelet._app = app;
        return kubelet;
    }

    /// <summary>Called by Register: dial the plugin back and watch it, replacing an earlier registration of the resource.</summary>
    public void Accept(string resource, string endpoint)
    {
        var socket = Path.Combine(DevicePluginDirectory, endpoint);
        _ = Task.Run(async () =>
        {
            try
            {
                var connection = await PluginConnection.DialAsync(resource, socket, _stop.Token).ConfigureAwait(false);
                PluginConnection? previous;
                lock (_gate)
                {
                    _plugins.Remove(resource, out previous);
                    _plugins[resource] = connection;
                }

                if (previous is not null)
                {
                    await previous.DisposeAsync().ConfigureAwait(false);
                }

                Notice?.Invoke($"plugin for {resource} registered on {endpoint}; watching ListAndWatch");
                connection.StartWatching(devices => OnDevices(connection, devices));
                Signal();
            }
            catch (Exception e) when (e is RpcException or IOException or OperationCanceledException or HttpRequestException)
            {
                Notice?.Invoke($"could not dial the plugin for {resource} back on {endpoint}: {e.Message}");
            }
        });
    }

    public IReadOnlyList<SimulatedDevice> Devices()
    {
        lock (_gate)
        {
            return [.. _devices.Values.SelectMany(d => d)];
        }
    }

    public IReadOnlyList<PodAdmission> Pods()
    {
        lock (_gate)
        {
            return [.. _pods];
        }
    }

    public bool IsRegistered(string resource)
    {
        lock (_gate)
        {
            return _plugins.ContainsKey(resource) && _devices.ContainsKey(resource);
        }
    }

    /// <summary>Completes once <paramref name="condition"/> holds, re-checked after every change the kubelet sees.</summary>
    public Task WaitUntilAsync(Func<KubeletSimulator, bool> condition, TimeSpan timeout, CancellationToken cancellationToken) =>
        _changed.WaitUntilAsync(() => condition(this), timeout, "the kubelet simulator did not see the expected state", cancellationToken);

    /// <summary>
    /// Admits a pod as the kubelet does: the resource must fit the healthy devices not in use (else the pod is
    /// rejected with <c>OutOf&lt;resource&gt;</c>), then per container GetPreferredAllocation (when the plugin offers it),
    /// the preferred ids kept where available and the rest filled in, then Allocate with exactly one container request.
    /// </summary>
    public async Task<PodAdmission> AdmitAsync(PodRequest pod, CancellationToken cancellationToken)
    {
        await _admission.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var demand = pod.Containers.SelectMany(c => c.Resources).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Sum(r => r.Value));
            foreach (var (resource, requested) in demand)
            {
                var (capacity, used) = Usage(resource);
                if (requested > capacity - used)
                {
                    return Record(new PodAdmission(pod.Namespace, pod.Name, false, $"OutOf{resource}",
                        $"Pod was rejected: Node didn't have enough resource: {resource}, requested: {requested}, used: {used}, capacity: {capacity}", []));
                }
            }

            var allocations = new List<ContainerAllocation>();
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var container in pod.Containers)
            {
                foreach (var (resource, count) in container.Resources.Where(r => r.Value > 0))
                {
                    var allocation = await AllocateAsync(container.Name, resource, count, taken, cancellationToken).ConfigureAwait(false);
                    if (allocation.Error is { } error)
                    {
                        return Record(new PodAdmission(pod.Namespace, pod.Name, false, "UnexpectedAdmissionError", error, []));
                    }

                    allocations.Add(allocation.Result!);
                    taken.UnionWith(allocation.Result!.DeviceIds);
                }
            }

            return Record(new PodAdmission(pod.Namespace, pod.Name, true, null, null, allocations));
        }
        finally
        {
            _admission.Release();
        }
    }

    /// <summary>The pod is gone (deleted, or failed and removed): its devices are free again.</summary>
    public bool Remove(string @namespace, string name)
    {
        bool removed;
        lock (_gate)
        {
            removed = _pods.RemoveAll(p => p.Namespace == @namespace && p.Name == name) > 0;
        }

        Signal();
        return removed;
    }

    private async Task<(ContainerAllocation? Result, string? Error)> AllocateAsync(string container, string resource, int count, HashSet<string> taken, CancellationToken cancellationToken)
    {
        PluginConnection? plugin;
        List<string> available;
        lock (_gate)
        {
            _plugins.TryGetValue(resource, out plugin);
            var inUse = _pods.Where(p => p.Admitted).SelectMany(p => p.Allocations).Where(a => a.Resource == resource).SelectMany(a => a.DeviceIds).ToHashSet(StringComparer.Ordinal);
            available = [.. (_devices.GetValueOrDefault(resource) ?? []).Where(d => d.Healthy && !inUse.Contains(d.Id) && !taken.Contains(d.Id)).Select(d => d.Id)];
        }

        if (plugin is null || available.Count < count)
        {
            return (null, $"Allocate failed due to requested number of devices unavailable for {resource}. Requested: {count}, Available: {available.Count}, which is unexpected");
        }

        try
        {
            IReadOnlyList<string> preferred = [];
            var chosen = new List<string>();
            if (plugin.Options.GetPreferredAllocationAvailable)
            {
                var request = new PreferredAllocationRequest();
                var containerRequest = new ContainerPreferredAllocationRequest { AllocationSize = count };
                containerRequest.AvailableDeviceIDs.AddRange(available);
                request.ContainerRequests.Add(containerRequest);
                var answer = await plugin.Client.GetPreferredAllocationAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
                preferred = [.. answer.ContainerResponses.SelectMany(r => r.DeviceIDs)];

                // The answer is a hint: the kubelet keeps what is still available, then fills up in its own order.
                chosen.AddRange(preferred.Where(available.Contains).Distinct().Take(count));
            }

            chosen.AddRange(available.Where(id => !chosen.Contains(id)).Take(count - chosen.Count));
            var allocate = new AllocateRequest();
            var allocateContainer = new ContainerAllocateRequest();
            allocateContainer.DevicesIds.AddRange(chosen);
            allocate.ContainerRequests.Add(allocateContainer);
            var response = await plugin.Client.AllocateAsync(allocate, cancellationToken: cancellationToken).ConfigureAwait(false);
            var container0 = response.ContainerResponses.Count == 1
                ? response.ContainerResponses[0]
                : throw new RpcException(new Status(StatusCode.Internal, $"Allocate answered {response.ContainerResponses.Count} container responses for one request"));
            return (new ContainerAllocation(
                container,
                resource,
                chosen,
                preferred,
                container0.Envs.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
                [.. container0.Devices.Select(d => d.ContainerPath == d.HostPath ? d.HostPath : $"{d.HostPath} -> {d.ContainerPath}")],
                [.. container0.Mounts.Select(m => $"{m.HostPath} -> {m.ContainerPath}")],
                [.. container0.CdiDevices.Select(c => c.Name)]), null);
        }
        catch (RpcException e)
        {
            // A failed Allocate fails the pod for good: the kubelet does not retry.
            return (null, $"Allocate for {resource} failed: {e.Status.Detail}");
        }
    }

    private (int Capacity, int Used) Usage(string resource)
    {
        lock (_gate)
        {
            var capacity = (_devices.GetValueOrDefault(resource) ?? []).Count(d => d.Healthy);
            var used = _pods.Where(p => p.Admitted).SelectMany(p => p.Allocations).Where(a => a.Resource == resource).Sum(a => a.DeviceIds.Count);
            return (capacity, used);
        }
    }

    private PodAdmission Record(PodAdmission admission)
    {
        if (admission.Admitted)
        {
            lock (_gate)
            {
                _pods.RemoveAll(p => p.Namespace == admission.Namespace && p.Name == admission.Name);
                _pods.Add(admission);
            }

            Signal();
        }

        return admission;
    }

    private void OnDevices(PluginConnection connection, IReadOnlyList<Device>? devices)
    {
        lock (_gate)
        {
            if (!_plugins.TryGetValue(connection.Resource, out var current) || current != connection)
            {
                return;
            }

            // A stream that ends leaves every device of the resource unhealthy, as the kubelet marks them.
            _devices[connection.Resource] = devices is null
                ? [.. (_devices.GetValueOrDefault(connection.Resource) ?? []).Select(d => d with { Healthy = false })]
                : [.. devices.Select(d => new SimulatedDevice(connection.Resource, d.ID, d.Health == "Healthy"))];
        }

        if (devices is null)
        {
            Notice?.Invoke($"ListAndWatch for {connection.Resource} ended; its devices count as unhealthy");
        }

        Signal();
    }

    private void Signal() => _changed.Signal();

    /// <summary>No more notices: the sandbox is shutting down and the streams ending is expected.</summary>
    public void Quiet() => Notice = null;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        PluginConnection[] plugins;
        lock (_gate)
        {
            plugins = [.. _plugins.Values];
            _plugins.Clear();
        }

        foreach (var plugin in plugins)
        {
            await plugin.DisposeAsync().ConfigureAwait(false);
        }

        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _admission.Dispose();
    }
}
