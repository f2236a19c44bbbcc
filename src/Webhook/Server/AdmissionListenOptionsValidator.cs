using Microsoft.Extensions.Options;

namespace Platform.Webhook.Server;

internal sealed class AdmissionListenOptionsValidator : IValidateOptions<AdmissionListenOptions>
{
    public ValidateOptionsResult Validate(string? name, AdmissionListenOptions options) =>
        ListenAddress.TryParse(options.Urls, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(error!);
}
