using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.Webhook.Hosting;

internal static class FileReloadingServiceCollectionExtensions
{
    /// <summary>Registers the one service that loads and watches every <see cref="IReloadableFile"/> (idempotent).</summary>
    public static IServiceCollection AddFileReloading(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FileReloadService>());
        return services;
    }
}
