namespace Platform.NodeAgent.Kubernetes;

/// <summary>Configuration section <c>Kubernetes</c>.</summary>
internal sealed class KubernetesOptions
{
    public const string Section = "Kubernetes";

    /// <summary>Use the Kubernetes API at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A kubeconfig file to use instead of the in-cluster service account. Default: none, which means the
    /// in-cluster config when running in a pod, else the <c>KUBECONFIG</c> environment variable.
    /// </summary>
    public string? Kubeconfig { get; set; }
}
