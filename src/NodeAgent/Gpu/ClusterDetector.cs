namespace Platform.NodeAgent.Gpu;

/// <summary>
/// Whether the agent runs inside a Kubernetes cluster: a mounted service-account token or the
/// <c>KUBERNETES_SERVICE_HOST</c> variable the kubelet sets in every pod (either is enough, DECISIONS 5).
/// The file and environment lookups are injected so tests decide the answer.
/// </summary>
internal sealed class ClusterDetector(Func<string, bool> fileExists, Func<string, string?> environment)
{
    public const string TokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    /// <summary>The real process: its file system and environment.</summary>
    public static ClusterDetector System { get; } = new(File.Exists, Environment.GetEnvironmentVariable);

    /// <summary>Never in a cluster (tests, and the <c>discover</c> command, which advertises nothing).</summary>
    public static ClusterDetector None { get; } = new(_ => false, _ => null);

    /// <summary>Why the agent believes it is in a cluster, or null outside one.</summary>
    public string? Evidence()
    {
        if (fileExists(TokenPath))
        {
            return $"the service-account token {TokenPath} exists";
        }

        return string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_HOST")) ? null : "KUBERNETES_SERVICE_HOST is set";
    }
}
