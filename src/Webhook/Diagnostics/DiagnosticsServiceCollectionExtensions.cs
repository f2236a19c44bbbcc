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
        // matters. Hosting.Diagnostics goes further to None: while any of its levels is enabled, ASP.NET
        // Core opens a log scope and starts an Activity for every request, about a tenth of the cost of
        // a small admission. Inserted first, so that Logging:LogLevel in configuration still wins.
        services.Configure<LoggerFilterOptions>(filters =>
        {
            filters.Rules.Insert(0, new LoggerFilterRule(null, "Microsoft.AspNetCore", LogLevel.Warning, null));
            filters.Rules.Insert(1, new LoggerFilterRule(null, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None, null));
            // A start that fails is reported by Program as one readable list on stderr; the host's own "Hosting failed
            // to start" record would repeat it as a JSON exception with a stack trace. Critical lines still pass.
            filters.Rules.Insert(2, new LoggerFilterRule(null, "Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical, null));
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WebhookMetrics>();
        return services;
    }
}
