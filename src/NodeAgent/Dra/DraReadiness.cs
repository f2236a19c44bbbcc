using Microsoft.Extensions.Options;
using Platform.NodeAgent.Diagnostics;
using Platform.NodeAgent.Dra.Registration;

namespace Platform.NodeAgent.Dra;

/// <summary><c>/readyz</c> in DRA mode: ready once the kubelet confirmed the plugin's registration.</summary>
internal sealed class DraReadiness(IOptions<DraOptions> options, DraRegistrationStatus status) : IReadinessContributor
{
    public IEnumerable<ReadinessCheck> Checks()
    {
        var dra = options.Value;
        if (!dra.Enabled)
        {
            yield break;
        }

        var detail = (status.Serving, status.Registered) switch
        {
            (_, true) => $"registered with the kubelet as {dra.DriverName} (endpoint {dra.PluginSocketPath})",
            (true, false) when status.LastError is { } error => $"the kubelet refused the registration: {error}",
            (true, false) => $"serving {dra.RegistrationSocketPath}; waiting for the kubelet to register it",
            _ => $"not serving the kubelet plugin sockets{(status.LastError is null ? string.Empty : ": " + status.LastError)}",
        };
        yield return new ReadinessCheck($"dra-plugin {dra.DriverName}", status.Registered, true, detail);
    }
}
