using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Metrics;

internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var errors = new List<string>();
        if (options.SampleInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"Metrics:SampleInterval is {options.SampleInterval}; use at least 00:00:00.1.");
        }

        if (options.AttributionRefreshInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Metrics:AttributionRefreshInterval is {options.AttributionRefreshInterval}; use at least 00:00:01.");
        }

        if (options.PodAttribution && string.IsNullOrWhiteSpace(options.PodResourcesSocket))
        {
            errors.Add("Metrics:PodResourcesSocket is empty; use /var/lib/kubelet/pod-resources/kubelet.sock or set Metrics:PodAttribution=false.");
        }

        if (options.PodResourcesMaxReceiveBytes < 4 * 1024 * 1024)
        {
            errors.Add($"Metrics:PodResourcesMaxReceiveBytes is {options.PodResourcesMaxReceiveBytes}; use at least 4194304 (gRPC's default).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
