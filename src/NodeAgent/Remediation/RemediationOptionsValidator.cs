using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Remediation;

/// <summary>Checks <see cref="RemediationOptions"/> at start and lists every problem with the key to fix.</summary>
internal sealed class RemediationOptionsValidator : IValidateOptions<RemediationOptions>
{
    public ValidateOptionsResult Validate(string? name, RemediationOptions options)
    {
        var errors = new List<string>();
        if (!RemediationModes.TryParse(options.Mode, out _))
        {
            errors.Add($"Remediation:Mode is '{options.Mode}'; use one of Off, Annotate, Drain, Evict.");
        }

        if (!string.Equals(options.NonRayPods?.Trim(), nameof(RemediationMode.Annotate), StringComparison.OrdinalIgnoreCase) && !options.EvictNonRayPods)
        {
            errors.Add($"Remediation:NonRayPods is '{options.NonRayPods}'; use Annotate or Evict.");
        }

        Positive(errors, "DrainTimeout", options.DrainTimeout, "00:10:00");
        Positive(errors, "NodeFaultWindow", options.NodeFaultWindow, "00:10:00");
        Positive(errors, "NodeRecoveryWindow", options.NodeRecoveryWindow, "00:30:00");
        Positive(errors, "EvictionRetryInitial", options.EvictionRetryInitial, "00:00:05");
        Positive(errors, "EvictionRetryMax", options.EvictionRetryMax, "00:05:00");
        Positive(errors, "StatusPollInterval", options.StatusPollInterval, "00:00:10");
        if (options.EvictionRetryMax < options.EvictionRetryInitial)
        {
            errors.Add($"Remediation:EvictionRetryMax is {options.EvictionRetryMax}, below Remediation:EvictionRetryInitial {options.EvictionRetryInitial}; the backoff cannot shrink.");
        }

        if (options.MaxEvictionsPerNodePerHour < 0)
        {
            errors.Add($"Remediation:MaxEvictionsPerNodePerHour is {options.MaxEvictionsPerNodePerHour}; use 0 (never evict) or more.");
        }

        if (options.NodeFaultGpus < 2)
        {
            errors.Add($"Remediation:NodeFaultGpus is {options.NodeFaultGpus}; use 2 or more (one failed GPU is a GPU fault, not a node fault).");
        }

        if (!(options.MaxDisruptedNodeFraction > 0 && options.MaxDisruptedNodeFraction <= 1))
        {
            errors.Add($"Remediation:MaxDisruptedNodeFraction is {options.MaxDisruptedNodeFraction}; use a fraction above 0 and at most 1, e.g. 0.1.");
        }

        if (options.MinDisruptedNodes < 1)
        {
            errors.Add($"Remediation:MinDisruptedNodes is {options.MinDisruptedNodes}; use 1 or more.");
        }

        // Without {cluster} the address is one GCS for every Ray pod on the node (a single Ray cluster, or the sandbox's loopback GCS).
        if (string.IsNullOrWhiteSpace(options.GcsAddress) || !HasPort(options.GcsAddressFor("c", "ns")))
        {
            errors.Add($"Remediation:GcsAddress is '{options.GcsAddress}'; use host:port, usually with {{cluster}} and {{namespace}}, e.g. {{cluster}}-head-svc.{{namespace}}.svc:6379.");
        }

        if (string.IsNullOrWhiteSpace(options.GpuNodeSelector) || options.GpuNodeSelector.Any(char.IsWhiteSpace))
        {
            errors.Add($"Remediation:GpuNodeSelector is '{options.GpuNodeSelector}'; use a label selector without spaces, e.g. nvidia.com/gpu.present=true.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, string key, TimeSpan value, string example)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"Remediation:{key} is {value}; use a positive duration such as {example}.");
        }
    }

    private static bool HasPort(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0 && int.TryParse(address.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535;
    }
}
