namespace Platform.Webhook.Tls;

/// <summary>The serving certificate of the admission endpoint (configuration section <c>Tls</c>).</summary>
internal sealed class TlsOptions
{
    public const string SectionName = "Tls";

    /// <summary>
    /// PEM file with the certificate, optionally followed by its intermediates (cert-manager's
    /// <c>tls.crt</c>). Required. Reloaded within 5 s of a change.
    /// </summary>
    public string? CertFile { get; set; }

    /// <summary>PEM file with the private key (PKCS#8, PKCS#1 or SEC1; <c>tls.key</c>). Required.</summary>
    public string? KeyFile { get; set; }
}
