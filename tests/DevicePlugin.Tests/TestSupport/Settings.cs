using Platform.DevicePlugin.Configuration;

namespace Platform.DevicePlugin.Tests.TestSupport;

/// <summary>Parsed settings from options, as the host gets them.</summary>
internal static class Settings
{
    public static PluginSettings From(Action<DevicePluginOptions>? configure = null)
    {
        var options = new DevicePluginOptions { KubeletDirectory = "/tmp/dp-test" };
        configure?.Invoke(options);
        return DevicePluginOptionsValidator.ParseOrThrow(options);
    }
}
