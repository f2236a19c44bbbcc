using Microsoft.Extensions.Options;
using Platform.DevicePlugin.Configuration;
using Platform.NodeAgent.Gpu.Mig;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Dra;

/// <summary>
/// The mode switch at start: a node is served by the device plugin or by the DRA driver, never both (the
/// kubelet would count every GPU twice, once as <c>nvidia.com/gpu</c> and once as a DRA device), and DRA
/// publishes whole GPUs only, so a MIG strategy other than none is refused with it. DRA offers GPUs only
/// through ResourceSlices in the API server, so it is refused with Kubernetes API access switched off.
/// </summary>
internal sealed class DraModeValidator(IOptions<DevicePluginOptions> devicePlugin, IOptions<MigOptions> mig, IOptions<KubernetesOptions> kubernetes, IOptions<NodeOptions> node) : IValidateOptions<DraOptions>
{
    public ValidateOptionsResult Validate(string? name, DraOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (ValueOrNull(devicePlugin) is { Enabled: true })
        {
            errors.Add("Dra:Enabled and DevicePlugin:Enabled are both true; one of the two serves a node. Set DevicePlugin:Enabled=false for DRA mode, or Dra:Enabled=false for device-plugin mode (the chart's nodeAgent.mode sets both).");
        }

        if (ValueOrNull(mig) is { } migOptions && MigStrategies.TryParse(migOptions.Strategy, out var strategy) && strategy != MigStrategy.None)
        {
            errors.Add($"Mig:Strategy is '{migOptions.Strategy}' with Dra:Enabled=true; the DRA driver publishes whole GPUs only. Use Mig:Strategy=none in DRA mode, or the device plugin for MIG devices.");
        }

        if (ValueOrNull(kubernetes) is { Enabled: false })
        {
            errors.Add("Dra:Enabled is true with Kubernetes:Enabled=false; the DRA driver offers GPUs through ResourceSlices in the API server, so it needs Kubernetes API access.");
        }

        if (ValueOrNull(node) is { } nodeOptions && string.IsNullOrWhiteSpace(nodeOptions.Name))
        {
            errors.Add("Dra:Enabled is true and the node's name is unknown; the DRA driver's pool and ResourceSlices are named after the Node. Set Node:Name or the NODE_NAME environment variable (the chart sets it from the downward API).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>A section that fails its own validation is reported by it; the cross-check then has nothing to say.</summary>
    private static T? ValueOrNull<T>(IOptions<T> options)
        where T : class
    {
        try
        {
            return options.Value;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
