namespace Platform.DevicePlugin.Events;

/// <summary>
/// Receives every <see cref="DevicePluginEvent"/>. Register implementations in DI
/// (<c>services.AddSingleton&lt;IDevicePluginObserver, MyObserver&gt;()</c>). Called on the plugin's threads
/// (including gRPC request threads): keep it quick and non-blocking. Exceptions are logged and swallowed.
/// </summary>
public interface IDevicePluginObserver
{
    void OnEvent(DevicePluginEvent pluginEvent);
}
