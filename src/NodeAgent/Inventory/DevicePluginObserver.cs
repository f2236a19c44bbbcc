using Platform.DevicePlugin.Events;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Inventory;

/// <summary>
/// Device-plugin events → agent metrics, a pod-attribution refresh after every allocation, and a Node Event
/// when another plugin holds our socket (once per episode), so <c>kubectl describe node</c> shows why the
/// GPUs are not advertised. A new listen and any event that ends a registration (a failed try, a kubelet
/// restart, a failed listen, a stop) marks the resource not registered until the next <see cref="PluginRegistered"/>.
/// </summary>
internal sealed class DevicePluginObserver(AgentMetrics metrics, PodAttributionRefresher attribution, NodeEventPublisher nodeEvents) : IDevicePluginObserver
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
            case PluginSocketInUse { Attempt: 1 } inUse:
                nodeEvents.Publish(new NodeEvent(
                    nodeEvents.NodeName,
                    "Warning",
                    "DevicePluginSocketInUse",
                    "Listen",
                    $"{inUse.SocketPath} is served by another live device plugin, so {inUse.ResourceName} is not advertised by this agent. Its socket is left alone; the agent takes over once it is free. Switch the other plugin off on this node (docs/node-agent.md).",
                    inUse.Timestamp));
                break;
        }
    }
}
