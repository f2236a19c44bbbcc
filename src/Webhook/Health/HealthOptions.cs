namespace Platform.Webhook.Health;

/// <summary>The plain-HTTP side: health probes and metrics (configuration section <c>Health</c>).</summary>
internal sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>
    /// Port of the plain-HTTP listener for <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>, on the
    /// same address as the admission endpoint. Default 8080; 0 picks a free port.
    /// </summary>
    public int Port { get; set; } = 8080;

    /// <summary>
    /// Seconds between <c>/readyz</c> turning false on SIGTERM and the listeners closing, so that
    /// the Service stops routing new requests here before the server stops taking them.
    /// In-flight requests then finish. Default 5.
    /// </summary>
    public double ShutdownDelaySeconds { get; set; } = 5;
}
