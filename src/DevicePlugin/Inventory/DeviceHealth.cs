namespace Platform.DevicePlugin.Inventory;

/// <summary>Health of one physical GPU as the node agent sees it; sent to the kubelet as "Healthy"/"Unhealthy".</summary>
public enum DeviceHealth
{
    Healthy = 0,
    Unhealthy = 1,
}
