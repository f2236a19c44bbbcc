using Microsoft.Extensions.Logging;

namespace Platform.DevicePlugin.Events;

/// <summary>Stamps events, logs them, and hands them to every registered observer; an observer that throws is logged and skipped.</summary>
internal sealed partial class EventPublisher(IEnumerable<IDevicePluginObserver> observers, TimeProvider timeProvider, ILogger<EventPublisher> logger)
{
    private readonly IDevicePluginObserver[] _observers = observers.ToArray();

    public void Publish(DevicePluginEvent pluginEvent)
    {
        pluginEvent = pluginEvent with { Timestamp = timeProvider.GetUtcNow() };
        LogEvent(pluginEvent);
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnEvent(pluginEvent);
            }
            catch (Exception ex)
            {
                ObserverFailed(logger, observer.GetType().Name, pluginEvent.GetType().Name, ex);
            }
        }
    }

    private void LogEvent(DevicePluginEvent e)
    {
        switch (e)
        {
            case PluginListening x: Listening(logger, x.ResourceName, x.SocketPath, x.StartDuration.TotalMilliseconds); break;
            case PluginRegistered x: Registered(logger, x.ResourceName, x.Endpoint, x.Attempt, x.Trigger, x.SinceTrigger.TotalMilliseconds); break;
            // No kubelet is said once; the retries that follow stay at Debug until something changes.
            case RegistrationFailed { KubeletAbsent: true, Attempt: 1 } x: KubeletAbsent(logger, x.ResourceName, x.Error); break;
            case RegistrationFailed { KubeletAbsent: true } x: StillNoKubelet(logger, x.ResourceName, x.Attempt, x.RetryIn.TotalMilliseconds); break;
            case RegistrationFailed x: RegisterFailed(logger, x.ResourceName, x.Attempt, x.Error, x.RetryIn.TotalMilliseconds); break;
            case KubeletRestartDetected x: RestartDetected(logger, x.ResourceName, x.Reason); break;
            case ListAndWatchOpened x: StreamOpened(logger, x.ResourceName, x.StreamId, x.ActiveStreams); break;
            case ListAndWatchClosed x: StreamClosed(logger, x.ResourceName, x.StreamId, x.Reason, x.ActiveStreams); break;
            case DeviceListSent x: ListSent(logger, x.ResourceName, x.StreamId, x.InventoryVersion, x.Healthy, x.Unhealthy); break;
            case DevicesAllocated x: Allocated(logger, x.ResourceName, string.Join(',', x.RequestedIds), string.Join(',', x.VisibleDevices)); break;
            case AllocationRejected x: Rejected(logger, x.ResourceName, x.DeviceId, x.StatusCode, x.Message); break;
            case PreferredAllocationComputed x: Preferred(logger, x.ResourceName, string.Join(',', x.DeviceIds), x.TopologyAligned); break;
            case PluginError x: Error(logger, x.ResourceName, x.Operation, x.Exception); break;
            case PluginStopped x: Stopped(logger, x.ResourceName); break;
            case PluginSocketInUse { Attempt: 1 } x: SocketInUse(logger, x.ResourceName, x.SocketPath); break;
            case PluginSocketInUse x: SocketStillInUse(logger, x.ResourceName, x.SocketPath, x.Attempt, x.RetryIn.TotalMilliseconds); break;
            default: break;
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Device plugin for {ResourceName} listens on {SocketPath} (started in {StartMilliseconds:F1} ms).")]
    private static partial void Listening(ILogger logger, string resourceName, string socketPath, double startMilliseconds);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Registered {ResourceName} with the kubelet as {Endpoint} (attempt {Attempt}, trigger {Trigger}, {SinceTriggerMilliseconds:F1} ms after it).")]
    private static partial void Registered(ILogger logger, string resourceName, string endpoint, int attempt, string trigger, double sinceTriggerMilliseconds);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Registering {ResourceName} with the kubelet failed (attempt {Attempt}): {Error}. Retrying in {RetryMilliseconds:F0} ms or when kubelet.sock appears.")]
    private static partial void RegisterFailed(ILogger logger, string resourceName, int attempt, string error, double retryMilliseconds);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Kubelet restart detected for {ResourceName} ({Reason}); re-listening and re-registering.")]
    private static partial void RestartDetected(ILogger logger, string resourceName, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "ListAndWatch stream {StreamId} for {ResourceName} opened ({ActiveStreams} active).")]
    private static partial void StreamOpened(ILogger logger, string resourceName, long streamId, int activeStreams);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "ListAndWatch stream {StreamId} for {ResourceName} closed: {Reason} ({ActiveStreams} active).")]
    private static partial void StreamClosed(ILogger logger, string resourceName, long streamId, string reason, int activeStreams);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "Sent the device list of {ResourceName} on stream {StreamId} (inventory version {InventoryVersion}: {Healthy} healthy, {Unhealthy} unhealthy).")]
    private static partial void ListSent(ILogger logger, string resourceName, long streamId, long inventoryVersion, int healthy, int unhealthy);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Allocated {ResourceName} devices {DeviceIds}; the container sees {VisibleDevices}.")]
    private static partial void Allocated(ILogger logger, string resourceName, string deviceIds, string visibleDevices);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Refused an allocation of {ResourceName} (device {DeviceId}, {StatusCode}): {Reason}")]
    private static partial void Rejected(ILogger logger, string resourceName, string? deviceId, string statusCode, string reason);

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "Preferred allocation for {ResourceName}: {DeviceIds} (topology aligned: {TopologyAligned}).")]
    private static partial void Preferred(ILogger logger, string resourceName, string deviceIds, bool topologyAligned);

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Device plugin for {ResourceName} failed in {Operation}; carrying on.")]
    private static partial void Error(ILogger logger, string resourceName, string operation, Exception exception);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Device plugin for {ResourceName} stopped and removed its socket.")]
    private static partial void Stopped(ILogger logger, string resourceName);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "Device plugin for {ResourceName} does not listen: {SocketPath} is served by another live process (another device plugin for this resource, such as NVIDIA's). The socket is left alone; listening as soon as it is free.")]
    private static partial void SocketInUse(ILogger logger, string resourceName, string socketPath);

    [LoggerMessage(EventId = 114, Level = LogLevel.Debug, Message = "Device plugin for {ResourceName}: {SocketPath} is still served by another process (attempt {Attempt}); trying again in {RetryMilliseconds:F0} ms.")]
    private static partial void SocketStillInUse(ILogger logger, string resourceName, string socketPath, int attempt, double retryMilliseconds);

    [LoggerMessage(EventId = 115, Level = LogLevel.Information, Message = "Device plugin for {ResourceName} serves but is not registered: {Reason}.")]
    private static partial void KubeletAbsent(ILogger logger, string resourceName, string reason);

    [LoggerMessage(EventId = 116, Level = LogLevel.Debug, Message = "Still no kubelet for {ResourceName} (attempt {Attempt}); looking again in {RetryMilliseconds:F0} ms or when kubelet.sock appears.")]
    private static partial void StillNoKubelet(ILogger logger, string resourceName, int attempt, double retryMilliseconds);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Device plugin observer {Observer} threw on {EventType}; the event was still delivered to the others.")]
    private static partial void ObserverFailed(ILogger logger, string observer, string eventType, Exception exception);
}
