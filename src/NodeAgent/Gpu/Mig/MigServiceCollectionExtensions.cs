using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Diagnostics;

namespace Platform.NodeAgent.Gpu.Mig;

internal static class MigServiceCollectionExtensions
{
    /// <summary>Section <c>Mig</c>: the strategy, the plan of what is advertised, its readiness line and its report.</summary>
    public static IServiceCollection AddMig(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MigOptions>().Bind(configuration.GetSection(MigOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MigOptions>, MigOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            _ = MigStrategies.TryParse(sp.GetRequiredService<IOptions<MigOptions>>().Value.Strategy, out var strategy);
            return MigPlanner.Plan(sp.GetRequiredService<GpuRuntime>().Discovery, strategy);
        });
        services.AddSingleton<IReadinessContributor, MigReadiness>();
        services.AddHostedService<MigLayoutReporter>();
        return services;
    }
}
