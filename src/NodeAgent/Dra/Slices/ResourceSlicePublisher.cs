using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Dra.Slices;

/// <summary>
/// Keeps the node's pool in ResourceSlices: publishes at start, again after every health transition (a
/// withdrawn or tainted GPU, a recovered one), whenever a watch of its own slices sees them change (the
/// kubelet deletes every slice of its node when it starts; someone may edit or delete one), and every
/// <see cref="ResyncInterval"/> in case a watch missed something.
/// A pass lists this node's slices of this driver, and writes only when they differ from
/// <see cref="ResourceSliceBuilder"/>'s result: then every slice of the pool gets the next generation,
/// missing ones are created and stale ones (extra slices, another pool name) deleted. A restart that
/// finds its slices current writes nothing, so slices do not flap.
/// <para>
/// Slices are not deleted at shutdown: the agent cannot tell a restart or rolling update from an uninstall.
/// Uninstalling removes the DRA plugin's registration socket, and the kubelet deletes a driver's slices
/// 30 s after its plugin is gone (<c>defaultWipingDelay</c>, longer than a restart); deleting the Node
/// deletes them through their owner reference.
/// </para>
/// </summary>
internal sealed partial class ResourceSlicePublisher : BackgroundService
{
    /// <summary>How often slices are compared with the server without a health change; an API LIST of a few objects.</summary>
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromMinutes(5);

    /// <summary>The server ends each watch after this long and the publisher opens the next one, as client-go does.</summary>
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromMinutes(4);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Conflicts in a row retried at once (re-read, re-apply) before the pass backs off like any error.</summary>
    private const int MaxConflictRetries = 5;

    private readonly IKubernetesApi? _api;
    private readonly string? _nodeName;
    private readonly GpuRuntime _gpu;
    private readonly GpuHealthTracker _health;
    private readonly DraOptions _options;
    private readonly AgentMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ResourceSlicePublisher> _logger;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _nodeUid;
    private string? _listVersion;
    private readonly HashSet<string> _refusedDeletes = new(StringComparer.Ordinal);

    public ResourceSlicePublisher(
        KubernetesConnection kubernetes,
        GpuRuntime gpu,
        GpuHealthTracker health,
        IOptions<DraOptions> options,
        IOptions<NodeOptions> node,
        AgentMetrics metrics,
        TimeProvider time,
        ILogger<ResourceSlicePublisher> logger)
    {
        _api = kubernetes.Api;
        _nodeName = node.Value.Name;
        _gpu = gpu;
        _health = health;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;

        // Only a wake-up: every pass reads the tracker's current state, so coalesced transitions lose nothing.
        health.Subscribe(_ => _changes.Writer.TryWrite(true));
    }

    /// <summary>Null once the pool is published and current; otherwise why not (shown in /readyz).</summary>
    public string? Problem { get; private set; } = "the ResourceSlices have not been published yet";

    /// <summary>The pool generation last published or found current; 0 before the first pass.</summary>
    public long Generation { get; private set; }

    /// <summary>Completes after the first successful pass, or once it is clear there will be none (no API access, no node name).</summary>
    public Task FirstPass => _firstPass.Task;

    /// <summary>Completes after the next pass that wrote slices (tests wait on it instead of sleeping).</summary>
    public Task NextPublish => Volatile.Read(ref _published).Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            // Device-plugin mode: the device plugin serves the node.
            Problem = null;
            _firstPass.TrySetResult();
            return;
        }

        if (_api is null || string.IsNullOrEmpty(_nodeName))
        {
            Problem = _api is null
                ? "Kubernetes API access is off; the DRA driver's ResourceSlices cannot be published"
                : "the node name is unknown; set NODE_NAME from the downward API (spec.nodeName) or Node:Name";
            LogOff(Problem);
            _firstPass.TrySetResult();
            return;
        }

        var watch = WatchAsync(_api, _nodeName, stoppingToken);
        await PublishLoopAsync(_api, _nodeName, stoppingToken).ConfigureAwait(false);
        await watch.ConfigureAwait(false);
    }

    private async Task PublishLoopAsync(IKubernetesApi api, string nodeName, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var conflicts = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncAsync(api, nodeName, stoppingToken).ConfigureAwait(false);
                Problem = null;
                _firstPass.TrySetResult();
                backoff = TimeSpan.FromSeconds(1);
                conflicts = 0;
                await WaitForChangeAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubernetesApiException ex) when (ex.Status == HttpStatusCode.Conflict && ++conflicts <= MaxConflictRetries)
            {
                // Someone else wrote one of our slices between the list and the write: read again, apply again.
                LogConflict(nodeName, conflicts);
                continue;
            }
            catch (Exception ex)
            {
                Problem = $"publishing the ResourceSlices of node {nodeName} failed: {ex.Message}";
                LogSyncFailed(nodeName, backoff, ex.Message);
                conflicts = 0;
            }

            try
            {
                await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <summary>One pass: list, compare, write what differs. Returns whether anything was written.</summary>
    internal async Task<bool> SyncAsync(IKubernetesApi api, string nodeName, CancellationToken cancellationToken)
    {
        var driver = _options.DriverName;
        var discovery = _gpu.Discovery;
        var devices = ResourceSliceBuilder.Devices(discovery, _health.Snapshot(), driver, _options.DeviceTaints);
        var desired = ResourceSliceBuilder.Split(devices, discovery.Devices.Count > 0, _options.DeviceTaints);
        var list = await api.ListResourceSlicesAsync(nodeName, driver, cancellationToken).ConfigureAwait(false);
        var existing = list.Items ?? [];
        Volatile.Write(ref _listVersion, list.Metadata?.ResourceVersion);

        // Pool name, driver and node name are immutable: a slice of this node and driver in another pool
        // (a renamed pool, an older agent) cannot be updated into ours, only deleted.
        var ours = existing.Where(s => s.Spec.Pool.Name == nodeName).OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList();
        var stale = existing.Where(s => s.Spec.Pool.Name != nodeName).ToList();
        if (IsCurrent(ours, desired))
        {
            var deleted = 0;
            foreach (var slice in stale)
            {
                deleted += await DeleteForeignPoolAsync(api, slice, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }

            Generation = ours.Count > 0 ? ours[0].Spec.Pool.Generation : 0;
            Advertise(devices);
            return deleted > 0;
        }

        _nodeUid ??= await api.GetNodeUidAsync(nodeName, cancellationToken).ConfigureAwait(false)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"Node {nodeName} does not exist.");

        // The next generation above anything seen, so consumers take only the new state as the pool.
        var generation = Math.Max(Generation, existing.Count == 0 ? 0 : existing.Max(s => s.Spec.Pool.Generation)) + 1;
        for (var i = 0; i < desired.Count; i++)
        {
            var slice = ResourceSliceBuilder.Slice(nodeName, _nodeUid, driver, generation, desired.Count, desired[i]);
            if (i < ours.Count)
            {
                slice.Metadata.Name = ours[i].Metadata.Name;
                slice.Metadata.GenerateName = null;
                slice.Metadata.ResourceVersion = ours[i].Metadata.ResourceVersion;
                _ = await api.UpdateResourceSliceAsync(slice, cancellationToken).ConfigureAwait(false)
                    ?? throw new KubernetesApiException(HttpStatusCode.Conflict, $"ResourceSlice {slice.Metadata.Name} was deleted while being updated.");
            }
            else
            {
                _ = await api.CreateResourceSliceAsync(slice, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var slice in ours.Skip(desired.Count))
        {
            await DeleteAsync(api, slice, cancellationToken).ConfigureAwait(false);
        }

        foreach (var slice in stale)
        {
            await DeleteForeignPoolAsync(api, slice, cancellationToken).ConfigureAwait(false);
        }

        Generation = generation;
        Advertise(devices);
        LogPublished(nodeName, generation, desired.Count, devices.Count(d => d.Taints is null), devices.Count(d => d.Taints is not null), discovery.Devices.Count - devices.Count);
        Interlocked.Exchange(ref _published, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return true;
    }

    /// <summary>Current: one slice per desired part, all of one generation that counts them, with the same devices.</summary>
    private static bool IsCurrent(List<ResourceSliceDto> ours, List<List<SliceDeviceDto>> desired)
    {
        if (ours.Count != desired.Count || ours.Select(s => s.Spec.Pool.Generation).Distinct().Count() > 1)
        {
            return false;
        }

        for (var i = 0; i < ours.Count; i++)
        {
            if (ours[i].Spec.Pool.ResourceSliceCount != desired.Count
                || SliceFingerprint.Of(ours[i].Spec.Devices) != SliceFingerprint.Of(desired[i]))
            {
                return false;
            }
        }

        return true;
    }

    private async Task DeleteAsync(IKubernetesApi api, ResourceSliceDto slice, CancellationToken cancellationToken)
    {
        await api.DeleteResourceSliceAsync(slice.Metadata.Name ?? string.Empty, cancellationToken).ConfigureAwait(false);
        LogDeleted(slice.Metadata.Name ?? string.Empty, slice.Spec.Pool.Name);
    }

    /// <summary>
    /// A slice of this node and driver in another pool is not this agent's to keep, but the chart's admission
    /// policy lets the agent write only its own pool: a refused delete is said once and does not stop the
    /// pass, since consumers treat the other pool apart from this one.
    /// </summary>
    private async Task<bool> DeleteForeignPoolAsync(IKubernetesApi api, ResourceSliceDto slice, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteAsync(api, slice, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (KubernetesApiException ex) when (ex.Status is HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity)
        {
            if (_refusedDeletes.Add(slice.Metadata.Name ?? string.Empty))
            {
                LogForeignPoolKept(slice.Metadata.Name ?? string.Empty, slice.Spec.Pool.Name, ex.Message);
            }

            return false;
        }
    }

    /// <summary>The advertised metrics say what the slices offer: devices, untainted and tainted.</summary>
    private void Advertise(List<SliceDeviceDto> devices)
    {
        var tainted = devices.Count(d => d.Taints is not null);
        _metrics.SetAdvertised(_options.DriverName, new Advertisement(devices.Count, devices.Count - tainted, tainted));
    }

    /// <summary>
    /// Watches this node's slices of this driver and asks for a pass on every change. The pass compares with
    /// the server, so the echo of the publisher's own writes costs one LIST and writes nothing.
    /// </summary>
    private async Task WatchAsync(IKubernetesApi api, string nodeName, CancellationToken stoppingToken)
    {
        try
        {
            await _firstPass.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var backoff = TimeSpan.FromSeconds(1);
        var from = Volatile.Read(ref _listVersion);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in api.WatchResourceSlicesAsync(nodeName, _options.DriverName, from, WatchTimeout, stoppingToken).ConfigureAwait(false))
                {
                    backoff = TimeSpan.FromSeconds(1);
                    if (change.Type == "ERROR")
                    {
                        // Mostly 410 Gone: the version is too old. Start over from the current state.
                        LogWatchError(change.Object?.Code ?? 0);
                        from = null;
                        _changes.Writer.TryWrite(true);
                        break;
                    }

                    from = change.Object?.Metadata?.ResourceVersion ?? from;
                    if (change.Type != "BOOKMARK")
                    {
                        _changes.Writer.TryWrite(true);
                    }
                }

                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogWatchFailed(nodeName, backoff, ex.Message);
            }

            try
            {
                await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Changes during the gap are not replayed from an unknown point: compare once, watch from the list.
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            _changes.Writer.TryWrite(true);
            from = null;
        }
    }

    /// <summary>Until a health change or the resync is due; cancellation ends it quietly through the caller.</summary>
    private async Task WaitForChangeAsync(CancellationToken stoppingToken)
    {
        using var resync = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var timer = _time.CreateTimer(_ => resync.Cancel(), null, ResyncInterval, Timeout.InfiniteTimeSpan);
        try
        {
            await _changes.Reader.ReadAsync(resync.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The resync is due.
        }
    }

    [LoggerMessage(EventId = 1960, Level = LogLevel.Information, Message = "Node {NodeName}: published pool generation {Generation} in {SliceCount} ResourceSlices: {Healthy} healthy GPUs, {Tainted} tainted, {Withdrawn} withdrawn.")]
    private partial void LogPublished(string nodeName, long generation, int sliceCount, int healthy, int tainted, int withdrawn);

    [LoggerMessage(EventId = 1961, Level = LogLevel.Information, Message = "Deleted stale ResourceSlice {SliceName} (pool {PoolName}).")]
    private partial void LogDeleted(string sliceName, string poolName);

    [LoggerMessage(EventId = 1962, Level = LogLevel.Warning, Message = "Publishing the ResourceSlices of node {NodeName} failed; retrying in {Backoff}: {Reason}")]
    private partial void LogSyncFailed(string nodeName, TimeSpan backoff, string reason);

    [LoggerMessage(EventId = 1963, Level = LogLevel.Information, Message = "A ResourceSlice of node {NodeName} changed while it was being written (conflict {Attempt}); reading the slices again.")]
    private partial void LogConflict(string nodeName, int attempt);

    [LoggerMessage(EventId = 1965, Level = LogLevel.Warning, Message = "Watching the ResourceSlices of node {NodeName} failed; watching again in {Backoff}: {Reason}")]
    private partial void LogWatchFailed(string nodeName, TimeSpan backoff, string reason);

    [LoggerMessage(EventId = 1966, Level = LogLevel.Information, Message = "The ResourceSlice watch ended with error {Code}; comparing with the server and watching from its current state.")]
    private partial void LogWatchError(int code);

    [LoggerMessage(EventId = 1967, Level = LogLevel.Warning, Message = "ResourceSlice {SliceName} of this node and driver is in pool {PoolName}, not this node's; deleting it was refused, so it stays (delete it by hand): {Reason}")]
    private partial void LogForeignPoolKept(string sliceName, string poolName, string reason);

    [LoggerMessage(EventId = 1964, Level = LogLevel.Error, Message = "The DRA driver's ResourceSlices are off: {Reason}.")]
    private partial void LogOff(string reason);
}
