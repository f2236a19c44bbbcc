using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Webhook.Hosting;

namespace Platform.Webhook.Tls;

internal static class TlsServiceCollectionExtensions
{
    /// <summary>The serving certificate from <c>Tls:CertFile</c>/<c>Tls:KeyFile</c>, checked at start and reloaded on change.</summary>
    public static IServiceCollection AddTls(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TlsOptions>().Bind(configuration.GetSection(TlsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>();
        services.TryAddSingleton<CertificateStore>();
        services.AddSingleton<IReloadableFile>(sp => sp.GetRequiredService<CertificateStore>());
        services.AddFileReloading();
        return services;
    }
}
