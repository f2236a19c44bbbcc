using System.Collections.Concurrent;
using System.Threading.Channels;
using Platform.DevicePlugin.Events;

namespace Platform.DevicePlugin.Tests.TestSupport;

/// <summary>Records plugin events and lets a test await the next one of a kind.</summary>
internal sealed class RecordingObserver : IDevicePluginObserver
{
    private readonly Channel<DevicePluginEvent> _events = Channel.CreateUnbounded<DevicePluginEvent>();

    public ConcurrentQueue<DevicePluginEvent> All { get; } = new();

    public void OnEvent(DevicePluginEvent pluginEvent)
    {
        All.Enqueue(pluginEvent);
        _events.Writer.TryWrite(pluginEvent);
    }

    /// <summary>Skips events until one of type <typeparamref name="T"/> matching <paramref name="predicate"/> arrives.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? predicate = null)
        where T : DevicePluginEvent
    {
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.Timeout);
        while (true)
        {
            var next = await _events.Reader.ReadAsync(timeout.Token);
            if (next is T match && (predicate is null || predicate(match)))
            {
                return match;
            }
        }
    }
}
