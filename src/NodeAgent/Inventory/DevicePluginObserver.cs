using Platform.DevicePlugin.Events;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Inventory;

/// <summary>Device-plugin events → agent metrics, and a pod-attribution refresh after every allocation.</summary>
internal sealed class DevicePluginObserver(AgentMetrics metrics, PodAttributionRefresher attribution) : IDevicePluginObserver
{
    public void OnEvent(DevicePluginEvent pluginEvent)
    {
        switch (pluginEvent)
        {
            case PluginRegistered:
                metrics.CountRegistration();
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
