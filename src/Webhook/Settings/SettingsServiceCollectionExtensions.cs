using Microsoft.Extensions.Options;

namespace Platform.Webhook.Settings;

internal static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// Checks <paramref name="args"/> and the configuration against <see cref="WebhookSettings"/> now, before
    /// anything binds, and has the start-up validation list what it found with every other error.
    /// </summary>
    public static WebApplicationBuilder AddSettingsCheck(this WebApplicationBuilder builder, IReadOnlyList<string> args)
    {
        var errors = SettingsCheck.Run(builder.Configuration, args);
        builder.Services.AddOptions<SettingsErrors>().Configure(o => o.Errors = errors).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SettingsErrors>, SettingsErrorsValidator>();
        return builder;
    }
}
