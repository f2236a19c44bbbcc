using Platform.DevicePlugin.Inventory;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Mig;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Inventory;

/// <summary>
/// discovery → inventory: fills the device plugin's <see cref="DeviceInventory"/> once at start (an empty
/// list when no driver was found, so the kubelet learns the node has none) and forwards every health
/// transition to it, which reaches the kubelet on ListAndWatch. Also counts transitions for metrics.
/// What is advertised follows the MIG strategy (<see cref="MigPlan"/>); a MIG device is healthy only
/// while both its parent GPU and its own GPU instance are.
/// </summary>
internal sealed partial class InventoryPublisher : IHostedService
{
    private readonly GpuRuntime _gpu;
    private readonly GpuHealthTracker _health;
    private readonly DeviceInventory _inventory;
    private readonly AgentMetrics _metrics;
    private readonly MigPlan _mig;
    private readonly ILogger<InventoryPublisher> _logger;

    public InventoryPublisher(GpuRuntime gpu, GpuHealthTracker health, DeviceInventory inventory, AgentMetrics metrics, ILogger<InventoryPublisher> logger, MigPlan? mig = null)
    {
        _gpu = gpu;
        _mig = mig ?? MigPlanner.Plan(gpu.Discovery, MigStrategy.None);
        _health = health;
        _inventory = inventory;
        _metrics = metrics;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var discovery = _gpu.Discovery;
        var links = discovery.Topology.Select(l => InventoryMapper.ToPluginLink(l, discovery)).OfType<Platform.DevicePlugin.Inventory.GpuLink>().ToList();
        _inventory.SetDevices(_mig.Devices, links);
        _health.Subscribe(OnTransition);

        // Transitions that happened before the subscription (probes run as soon as the monitor starts).
        foreach (var (device, state, reason) in _health.Snapshot())
        {
            _inventory.SetHealth(device.Uuid, InventoryMapper.ToDeviceHealth(state), state == GpuHealthState.Healthy ? null : reason);
        }

        foreach (var mig in _mig.AdvertisedMig.Values)
        {
            UpdateMig(mig);
        }

        LogPublished(_mig.Devices.Count, links.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnTransition(HealthTransition transition)
    {
        _metrics.CountHealthTransition(transition.Reason, transition.To == GpuHealthState.Healthy ? "healthy" : "unhealthy");
        if (_mig.AdvertisedMig.TryGetValue(transition.Uuid, out var mig))
        {
            UpdateMig(mig);
            return;
        }

        _inventory.SetHealth(
            transition.Uuid,
            InventoryMapper.ToDeviceHealth(transition.To),
            transition.To == GpuHealthState.Healthy ? null : $"{transition.Reason}: {transition.Detail}");
        UpdateMigChildren(transition.Uuid);
    }

    private void UpdateMigChildren(string parentUuid)
    {
        foreach (var child in _mig.ChildrenOf(parentUuid))
        {
            UpdateMig(child);
        }
    }

    /// <summary>A MIG device takes its parent's fault first (an XID on the GPU hits every instance), then its own.</summary>
    private void UpdateMig(MigDevice mig)
    {
        var parent = _health.StateOf(mig.ParentUuid);
        var own = _health.StateOf(mig.Uuid);
        var reason = parent != GpuHealthState.Healthy
            ? $"parent GPU {mig.ParentIndex}: {_health.ReasonOf(mig.ParentUuid)}"
            : own != GpuHealthState.Healthy ? _health.ReasonOf(mig.Uuid) : null;
        _inventory.SetHealth(mig.Uuid, reason is null ? DeviceHealth.Healthy : DeviceHealth.Unhealthy, reason);
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Advertising {Count} GPUs with {LinkCount} topology links to the device plugin.")]
    private partial void LogPublished(int count, int linkCount);
}
