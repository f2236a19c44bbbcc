using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Webhook.Hosting;

namespace Platform.Webhook.Health;

internal static class HealthServiceCollectionExtensions
{
    /// <summary>Probes and metrics on the plain-HTTP <c>Health:Port</c>, and readiness that turns false first on shutdown.</summary>
    public static IServiceCollection AddHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.TryAddSingleton<Readiness>();
        services.TryAddSingleton<HealthEndpoints>();
        services.AddHostedService<GracefulShutdown>();
        return services;
    }
}
