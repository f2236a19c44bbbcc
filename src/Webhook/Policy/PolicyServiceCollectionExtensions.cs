using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Webhook.Hosting;

namespace Platform.Webhook.Policy;

internal static class PolicyServiceCollectionExtensions
{
    /// <summary>The policy in force (<c>Policy:File</c> or the built-in default), loaded at start and reloaded on change.</summary>
    public static IServiceCollection AddPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PolicyFileOptions>().Bind(configuration.GetSection(PolicyFileOptions.SectionName));
        services.TryAddSingleton<PolicyStore>();
        services.TryAddSingleton<IPolicySource>(sp => sp.GetRequiredService<PolicyStore>());
        services.AddSingleton<IReloadableFile>(sp => sp.GetRequiredService<PolicyStore>());
        services.AddFileReloading();
        return services;
    }
}
