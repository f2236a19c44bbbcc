using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Labels;

internal sealed class LabelsOptionsValidator : IValidateOptions<LabelsOptions>, IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, LabelsOptions options) =>
        options.ResyncInterval < TimeSpan.FromSeconds(1)
            ? ValidateOptionsResult.Fail($"Labels:ResyncInterval is {options.ResyncInterval}; use at least 00:00:01.")
            : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Taints.Count; i++)
        {
            if (!NodeTaint.TryParse(options.Taints[i], out _, out var error))
            {
                errors.Add($"Node:Taints:{i} {error}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
