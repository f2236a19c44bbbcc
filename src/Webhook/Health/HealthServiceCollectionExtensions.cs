using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Platform.Webhook.Health;

internal static class HealthServiceCollectionExtensions
{
    /// <summary>How long in-flight requests may take once the listeners have closed.</summary>
    public static readonly TimeSpan DrainAfterDelay = TimeSpan.FromSeconds(15);

    /// <summary>Probes and metrics on the plain-HTTP <c>Health:Port</c>, and readiness that turns false first on shutdown.</summary>
    public static IServiceCollection AddHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.TryAddSingleton<Readiness>();
        services.TryAddSingleton<HealthEndpoints>();
        services.AddHostedService<GracefulShutdown>();
        // The host's stop budget covers the delay and then the drain. The default 30 s would be spent by a long delay
        // and cut in-flight admissions short; this leaves them 15 s after the listeners close (more than the
        // apiserver's default 10 s webhook timeout), within the chart's grace period of delay + 25 s.
        // Read from configuration, not from the validated options: the host resolves its options before the start-up
        // validation runs, and an invalid delay must be listed with every other error rather than thrown here.
        services.AddOptions<HostOptions>().Configure(host =>
        {
            var delay = double.TryParse(
                configuration[$"{HealthOptions.SectionName}:{nameof(HealthOptions.ShutdownDelaySeconds)}"],
                System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture,
                out var seconds) && seconds is >= 0 and <= HealthOptionsValidator.MaxShutdownDelaySeconds
                ? seconds
                : new HealthOptions().ShutdownDelaySeconds;
            host.ShutdownTimeout = TimeSpan.FromSeconds(delay) + DrainAfterDelay;
        });
        return services;
    }
}
