using Platform.DevicePlugin.Events;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Inventory;

/// <summary>
/// Device-plugin events → agent metrics, and a pod-attribution refresh after every allocation. A new listen
/// and any event that ends a registration (a failed try, a kubelet restart, a failed listen, a stop) marks the resource not
/// registered until the next <see cref="PluginRegistered"/>.
/// </summary>
internal sealed class DevicePluginObserver(AgentMetrics metrics, PodAttributionRefresher attribution) : IDevicePluginObserver
{
    public void OnEvent(DevicePluginEvent pluginEvent)
    {
        switch (pluginEvent)
        {
            case PluginRegistered registered:
                metrics.CountRegistration();
                metrics.SetRegistered(registered.ResourceName, true);
                break;
            // Of the errors only a failed listen drops the registration (the host's status says the same).
            case PluginListening or RegistrationFailed or KubeletRestartDetected or PluginError { Operation: "listen" }:
                metrics.SetRegistered(pluginEvent.ResourceName, false);
                break;
            case PluginStopped:
                metrics.SetRegistered(pluginEvent.ResourceName, false);
                metrics.SetAdvertised(pluginEvent.ResourceName, Advertisement.None);
                break;
            case DeviceListSent sent:
                metrics.SetAdvertised(sent.ResourceName, new Advertisement(sent.Gpus, sent.Healthy, sent.Unhealthy));
                break;
            case DevicesAllocated allocated:
                metrics.ObserveAllocation(allocated.Duration, succeeded: true);
                attribution.Trigger();
                break;
            case AllocationRejected:
                metrics.CountAllocationFailure();
                break;
        }
    }
}
