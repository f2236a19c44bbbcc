using Microsoft.Extensions.Options;

namespace Platform.Webhook.Health;

internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public const double MaxShutdownDelaySeconds = 300;

    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var errors = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"Health:Port {options.Port} is not a TCP port: use 1-65535 (default 8080), or 0 for any free port.");
        }

        if (options.ShutdownDelaySeconds is < 0 or > MaxShutdownDelaySeconds || double.IsNaN(options.ShutdownDelaySeconds))
        {
            errors.Add($"Health:ShutdownDelaySeconds {options.ShutdownDelaySeconds} is out of range: use 0-300 (default 5), below the pod's terminationGracePeriodSeconds.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
