namespace Platform.Webhook.Server;

/// <summary>Limits of the admission (HTTPS) listener's connections (configuration section <c>Connections</c>).</summary>
internal sealed class ConnectionOptions
{
    public const string SectionName = "Connections";

    public const int DefaultMaxConnections = 256;

    public const double DefaultIdleTimeoutSeconds = 130;

    /// <summary>
    /// Admission connections held at once. When a new one arrives at the cap, the longest-idle connection is
    /// closed to make room; the new one is refused only while every connection has a request in progress.
    /// Default 256: measured with the NativeAOT binary (docs/webhook-server.md, "Connections"), 3,000 and 10,000 idle
    /// TLS connections then leave it at 101-113 MiB under the chart's 128 MiB limit (1000 reached 123-128 MiB: the
    /// memory of evicted connections is not all returned at once), and it is far above the apiserver's need.
    /// </summary>
    public int MaxConnections { get; set; } = DefaultMaxConnections;

    /// <summary>
    /// Seconds an idle admission connection stays open (Kestrel's keep-alive timeout). Default 130, Kestrel's own:
    /// longer than the apiserver client's 90 s idle timeout, so the client closes first and never reuses a
    /// connection the server is closing.
    /// </summary>
    public double IdleTimeoutSeconds { get; set; } = DefaultIdleTimeoutSeconds;
}
