using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.Webhook.Admission;

internal static class AdmissionServiceCollectionExtensions
{
    /// <summary>The admission handler and its HTTP edge; <c>Admission:OnError</c> (allow|deny) says what a webhook fault answers.</summary>
    public static IServiceCollection AddAdmission(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdmissionOptions>().Bind(configuration.GetSection(AdmissionOptions.SectionName)).ValidateOnStart();
        services.TryAddSingleton<AdmissionHandler>();
        services.TryAddSingleton<AdmissionEndpoint>();
        return services;
    }
}
