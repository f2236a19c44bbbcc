using Platform.DevicePlugin.Events;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Inventory;

/// <summary>
/// Device-plugin events → agent metrics, a pod-attribution refresh after every allocation, and a Node Event
/// when another plugin holds our socket (once per episode), so <c>kubectl describe node</c> shows why the
/// GPUs are not advertised.
/// </summary>
internal sealed class DevicePluginObserver(AgentMetrics metrics, PodAttributionRefresher attribution, NodeEventPublisher nodeEvents) : IDevicePluginObserver
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
