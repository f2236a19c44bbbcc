using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.Webhook.Diagnostics;

internal static class DiagnosticsServiceCollectionExtensions
{
    /// <summary>
    /// JSON console logs (one object per line, scopes included: each admission's uid, namespace,
    /// generateName, cluster and group), the metrics registry, and the clock everything reads.
    /// Log levels come from the standard <c>Logging</c> section.
    /// </summary>
    public static IServiceCollection AddWebhookDiagnostics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        });
        // Kestrel's per-request lines would double the log volume and cost throughput; ours say what
        // matters. Inserted first so that Logging:LogLevel:Microsoft.AspNetCore in configuration wins.
        services.Configure<LoggerFilterOptions>(filters =>
            filters.Rules.Insert(0, new LoggerFilterRule(null, "Microsoft.AspNetCore", LogLevel.Warning, null)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WebhookMetrics>();
        return services;
    }
}
