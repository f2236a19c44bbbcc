namespace Platform.Webhook.Server;

/// <summary>Limits of the admission (HTTPS) listener's connections (configuration section <c>Connections</c>).</summary>
internal sealed class ConnectionOptions
{
    public const string SectionName = "Connections";

    public const int DefaultMaxConnections = 1000;

    public const double DefaultIdleTimeoutSeconds = 130;

    /// <summary>
    /// Admission connections held at once. When a new one arrives at the cap, the longest-idle connection is
    /// closed to make room; the new one is refused only while every connection has a request in progress.
    /// Default 1000: with about 45 KB per idle TLS connection (docs/webhook-server.md) that stays far below the
    /// chart's 128 MiB limit, and far above the apiserver's need (a handful of connections per apiserver).
    /// </summary>
    public int MaxConnections { get; set; } = DefaultMaxConnections;

    /// <summary>
    /// Seconds an idle admission connection stays open (Kestrel's keep-alive timeout). Default 130, Kestrel's own:
    /// longer than the apiserver client's 90 s idle timeout, so the client closes first and never reuses a
    /// connection the server is closing.
    /// </summary>
    public double IdleTimeoutSeconds { get; set; } = DefaultIdleTimeoutSeconds;
}
