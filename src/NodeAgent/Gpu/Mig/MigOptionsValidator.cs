using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>Checks <see cref="MigOptions"/> at start.</summary>
internal sealed class MigOptionsValidator : IValidateOptions<MigOptions>
{
    public ValidateOptionsResult Validate(string? name, MigOptions options) =>
        MigStrategies.TryParse(options.Strategy, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Mig:Strategy is '{options.Strategy}'; use one of {string.Join(", ", MigStrategies.All)}.");
}
