using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Health;

internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var errors = new List<string>();
        if (!XidList.TryValidate(options.IgnoredXids, out var badIgnored))
        {
            errors.Add($"Health:IgnoredXids has '{badIgnored}'; use comma-separated XID numbers such as 13,31,43.");
        }

        if (!XidList.TryValidate(options.FatalXids, out var badFatal))
        {
            errors.Add($"Health:FatalXids has '{badFatal}'; use comma-separated XID numbers such as 48,79.");
        }

        if (options.ProbeInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"Health:ProbeInterval is {options.ProbeInterval}; use at least 00:00:00.1.");
        }

        if (options.QuietPeriod < TimeSpan.Zero)
        {
            errors.Add($"Health:QuietPeriod is {options.QuietPeriod}; use zero or a positive duration such as 00:01:00.");
        }

        if (options.TemperatureLimitC is < 30 or > 150)
        {
            errors.Add($"Health:TemperatureLimitC is {options.TemperatureLimitC}; use 30 to 150 °C or leave it unset.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
