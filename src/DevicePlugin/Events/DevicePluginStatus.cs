using System.Collections.Concurrent;

namespace Platform.DevicePlugin.Events;

/// <summary>
/// Live state per advertised resource, for the agent's readiness endpoint. Singleton in DI.
/// </summary>
public sealed class DevicePluginStatus
{
    private readonly ConcurrentDictionary<string, ResourceStatus> _resources = new(StringComparer.Ordinal);

    /// <summary>Resource name → its state; one entry per served resource.</summary>
    public IReadOnlyDictionary<string, ResourceStatus> Resources => _resources;

    /// <summary>True when every served resource is currently registered with the kubelet.</summary>
    public bool AllRegistered => !_resources.IsEmpty && _resources.Values.All(r => r.Registered);

    internal void Update(string resourceName, Func<ResourceStatus, ResourceStatus> change) =>
        _resources.AddOrUpdate(resourceName, name => change(new ResourceStatus(name)), (_, old) => change(old));

    internal void Remove(string resourceName) => _resources.TryRemove(resourceName, out _);
}
