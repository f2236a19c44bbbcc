using Microsoft.Extensions.Options;

namespace Platform.Webhook.Server;

internal sealed class ConnectionOptionsValidator : IValidateOptions<ConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionOptions options)
    {
        var errors = new List<string>();
        if (options.MaxConnections is < 1 or > 100_000)
        {
            errors.Add($"Connections:MaxConnections {options.MaxConnections} is out of range: use 1-100000 (default {ConnectionOptions.DefaultMaxConnections}).");
        }

        if (options.IdleTimeoutSeconds is < 1 or > 3600 || double.IsNaN(options.IdleTimeoutSeconds))
        {
            errors.Add($"Connections:IdleTimeoutSeconds {options.IdleTimeoutSeconds} is out of range: use 1-3600 (default {ConnectionOptions.DefaultIdleTimeoutSeconds}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
