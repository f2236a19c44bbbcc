using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// Kubernetes API access: in-cluster config (service account), else the file named by KUBECONFIG.
/// With neither (a laptop, the sandbox, tests) <see cref="Api"/> is null, <see cref="Unavailable"/>
/// says why, and the features that need the API switch off.
/// </summary>
internal sealed partial class KubernetesConnection : IDisposable
{
    public KubernetesConnection(IOptions<KubernetesOptions> options, ILogger<KubernetesConnection> logger)
        : this(
            options.Value.Kubeconfig ?? Environment.GetEnvironmentVariable("KUBECONFIG"),
            options.Value.Enabled && options.Value.Kubeconfig is null && KubeconfigLoader.IsInCluster(),
            logger,
            options.Value.Enabled)
    {
    }

    internal KubernetesConnection(string? kubeconfig, bool inCluster, ILogger<KubernetesConnection> logger, bool enabled = true)
    {
        var failed = false;
        try
        {
            if (!enabled)
            {
                Unavailable = "Kubernetes:Enabled is false; Node labels, taints, Node Events and Ray attribution are off";
            }
            else if (inCluster)
            {
                Api = new KubernetesApi(KubeconfigLoader.InCluster());
                Source = "in-cluster service account";
            }
            else if (!string.IsNullOrWhiteSpace(kubeconfig))
            {
                var path = kubeconfig.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)[0];
                Api = new KubernetesApi(KubeconfigLoader.Load(path));
                Source = $"kubeconfig {path}";
            }
            else
            {
                Unavailable = "no cluster found (no in-cluster service account, no KUBECONFIG); Node labels, taints, Node Events and Ray attribution are off";
            }
        }
        catch (Exception ex) when (ex is KubeconfigException or YamlDotNet.Core.YamlException or IOException or UnauthorizedAccessException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            failed = true;
            Unavailable = $"the Kubernetes configuration could not be loaded ({ex.Message}); Node labels, taints, Node Events and Ray attribution are off";
        }

        if (Api is null)
        {
            // Off by choice or for lack of a cluster (a laptop) is a state, said once; a configuration that
            // fails to load is a problem.
            LogUnavailable(logger, failed ? LogLevel.Warning : LogLevel.Information, Unavailable!);
        }
        else
        {
            LogConnected(logger, Source);
        }
    }

    /// <summary>A connection around an existing API adapter (composition in tests and benchmarks).</summary>
    internal KubernetesConnection(IKubernetesApi api, string source)
    {
        Api = api;
        Source = source;
    }

    public IKubernetesApi? Api { get; }

    public string Source { get; } = string.Empty;

    public string? Unavailable { get; }

    public void Dispose() => (Api as IDisposable)?.Dispose();

    [LoggerMessage(EventId = 500, Message = "Kubernetes API access is off: {Reason}.")]
    private static partial void LogUnavailable(ILogger logger, LogLevel level, string reason);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Kubernetes API access through {Source}.")]
    private static partial void LogConnected(ILogger logger, string source);
}
