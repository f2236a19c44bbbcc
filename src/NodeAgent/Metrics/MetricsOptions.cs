namespace Platform.NodeAgent.Metrics;

/// <summary>Configuration section <c>Metrics</c>.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>How often NVML is sampled into the snapshot that scrapes read. Default 5 s.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attribute GPUs to pods through the kubelet pod-resources API. Default true.</summary>
    public bool PodAttribution { get; set; } = true;

    /// <summary>The kubelet pod-resources socket. Mount its directory, not the file (kubelet restarts replace it).</summary>
    public string PodResourcesSocket { get; set; } = "/var/lib/kubelet/pod-resources/kubelet.sock";

    /// <summary>How often pod attribution is refreshed besides after every allocation. Default 30 s.</summary>
    public TimeSpan AttributionRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Receive limit for pod-resources List responses, which exceed gRPC's 4 MiB on busy nodes. Default 64 MiB.</summary>
    public int PodResourcesMaxReceiveBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The <c>Hostname</c> label. Default: the node name, else the machine name.</summary>
    public string? Hostname { get; set; }
}
