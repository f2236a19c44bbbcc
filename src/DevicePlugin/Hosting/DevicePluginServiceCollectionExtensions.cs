using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Hosting;

public static class DevicePluginServiceCollectionExtensions
{
    /// <summary>
    /// Adds the kubelet device plugin: binds and validates section <c>DevicePlugin</c> of
    /// <paramref name="configuration"/> at start (every error listed), and registers the
    /// <see cref="DeviceInventory"/> (fill it with <see cref="DeviceInventory.SetDevices"/>; the plugin
    /// registers with the kubelet only after the first call), the <see cref="DevicePluginStatus"/>, and
    /// the hosted service that serves, registers and re-registers. Add <see cref="IDevicePluginObserver"/>
    /// singletons to receive events. Uses the <see cref="TimeProvider"/> in DI when one is registered.
    /// </summary>
    public static IServiceCollection AddDevicePlugin(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<DevicePluginOptions>()
            .Bind(configuration.GetSection(DevicePluginOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DevicePluginOptions>, DevicePluginOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeviceInventory>();
        services.TryAddSingleton<DevicePluginStatus>();
        services.TryAddSingleton(sp => DevicePluginOptionsValidator.ParseOrThrow(sp.GetRequiredService<IOptions<DevicePluginOptions>>().Value));
        services.TryAddSingleton<EventPublisher>();
        services.AddSingleton<IHostedService>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DevicePluginOptions>>().Value;
            return options.Enabled
                ? new DevicePluginHost(
                    sp.GetRequiredService<PluginSettings>(),
                    sp.GetRequiredService<DeviceInventory>(),
                    sp.GetRequiredService<EventPublisher>(),
                    sp.GetRequiredService<DevicePluginStatus>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILoggerFactory>())
                : new DisabledPlugin();
        });
        return services;
    }

    private sealed class DisabledPlugin : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
