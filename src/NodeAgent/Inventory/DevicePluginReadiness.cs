using Microsoft.Extensions.Options;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Events;
using Platform.NodeAgent.Diagnostics;

namespace Platform.NodeAgent.Inventory;

/// <summary><c>/readyz</c>: ready once every served resource is registered with the kubelet.</summary>
internal sealed class DevicePluginReadiness(DevicePluginStatus status, IOptions<DevicePluginOptions> options) : IReadinessContributor
{
    public IEnumerable<ReadinessCheck> Checks()
    {
        if (!options.Value.Enabled)
        {
            yield return new ReadinessCheck("device-plugin", true, false, "DevicePlugin:Enabled is false");
            yield break;
        }

        foreach (var resource in status.Resources.Values.OrderBy(r => r.ResourceName, StringComparer.Ordinal))
        {
            yield return new ReadinessCheck(
                $"device-plugin {resource.ResourceName}",
                resource.Registered,
                true,
                resource.Registered
                    ? $"registered with the kubelet, {resource.ActiveStreams} ListAndWatch streams"
                    : $"not registered with the kubelet{(resource.LastError is null ? string.Empty : ": " + resource.LastError)}");
        }

        if (status.Resources.Count == 0)
        {
            yield return new ReadinessCheck("device-plugin", false, true, "the device plugin has not started serving yet");
        }
    }
}
