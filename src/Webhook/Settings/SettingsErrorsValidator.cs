using Microsoft.Extensions.Options;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Settings;

/// <summary>
/// Reports the errors found before binding, and the policy file's errors: the policy is loaded for real only
/// after validation, so without this a bad policy would be reported alone, on a second start.
/// </summary>
internal sealed class SettingsErrorsValidator(IOptions<PolicyFileOptions> policy) : IValidateOptions<SettingsErrors>
{
    public ValidateOptionsResult Validate(string? name, SettingsErrors options)
    {
        var errors = new List<string>(options.Errors);
        if (policy.Value.File is { Length: > 0 } file && !string.IsNullOrWhiteSpace(file))
        {
            var loaded = PolicyLoader.LoadFile(file);
            errors.AddRange(loaded.Errors.Select(e => $"Policy:File '{file}': {e}"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
