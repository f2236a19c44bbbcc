using Platform.DevicePlugin.Events;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>Completes <see cref="Seen"/> at the first device-plugin event that matches.</summary>
internal sealed class WaitingObserver(Func<DevicePluginEvent, bool> match) : IDevicePluginObserver
{
    private readonly TaskCompletionSource<DevicePluginEvent> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<DevicePluginEvent> Seen => _seen.Task;

    public void OnEvent(DevicePluginEvent pluginEvent)
    {
        if (match(pluginEvent))
        {
            _seen.TrySetResult(pluginEvent);
        }
    }
}
