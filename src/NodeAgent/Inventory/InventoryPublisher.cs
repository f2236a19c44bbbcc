using Platform.DevicePlugin.Inventory;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Inventory;

/// <summary>
/// discovery → inventory: fills the device plugin's <see cref="DeviceInventory"/> once at start (an empty
/// list when no driver was found, so the kubelet learns the node has none) and forwards every health
/// transition to it, which reaches the kubelet on ListAndWatch. Also counts transitions for metrics.
/// </summary>
internal sealed partial class InventoryPublisher : IHostedService
{
    private readonly GpuRuntime _gpu;
    private readonly GpuHealthTracker _health;
    private readonly DeviceInventory _inventory;
    private readonly AgentMetrics _metrics;
    private readonly ILogger<InventoryPublisher> _logger;

    public InventoryPublisher(GpuRuntime gpu, GpuHealthTracker health, DeviceInventory inventory, AgentMetrics metrics, ILogger<InventoryPublisher> logger)
    {
        _gpu = gpu;
        _health = health;
        _inventory = inventory;
        _metrics = metrics;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var discovery = _gpu.Discovery;
        var links = discovery.Topology.Select(l => InventoryMapper.ToPluginLink(l, discovery)).OfType<Platform.DevicePlugin.Inventory.GpuLink>().ToList();
        _inventory.SetDevices(discovery.Devices.Select(InventoryMapper.ToPluginDevice), links);
        _health.Subscribe(OnTransition);

        // Transitions that happened before the subscription (probes run as soon as the monitor starts).
        foreach (var (device, state, reason) in _health.Snapshot())
        {
            _inventory.SetHealth(device.Uuid, InventoryMapper.ToDeviceHealth(state), state == GpuHealthState.Healthy ? null : reason);
        }

        LogPublished(discovery.Devices.Count, links.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnTransition(HealthTransition transition)
    {
        _metrics.CountHealthTransition(transition.Reason, transition.To == GpuHealthState.Healthy ? "healthy" : "unhealthy");
        _inventory.SetHealth(
            transition.Uuid,
            InventoryMapper.ToDeviceHealth(transition.To),
            transition.To == GpuHealthState.Healthy ? null : $"{transition.Reason}: {transition.Detail}");
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Advertising {Count} GPUs with {LinkCount} topology links to the device plugin.")]
    private partial void LogPublished(int count, int linkCount);
}
