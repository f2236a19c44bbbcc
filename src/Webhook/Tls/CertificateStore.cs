using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Platform.Webhook.Diagnostics;
using Platform.Webhook.Hosting;

namespace Platform.Webhook.Tls;

/// <summary>
/// The serving certificate, read from PEM files and swapped in place when they change
/// (cert-manager renewals, chart-generated Secrets): every new TLS handshake gets the current
/// one, connections already open keep theirs. A new pair that does not load (half-written,
/// key not matching) is refused and the last good certificate stays.
/// </summary>
internal sealed partial class CertificateStore : IReloadableFile
{
    private readonly Lock _gate = new();
    private readonly IOptions<TlsOptions> _options;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger<CertificateStore> _logger;
    private readonly TimeProvider _time;
    private SslServerAuthenticationOptions? _serverOptions;
    private X509Certificate2? _current;
    private string? _lastAttempt;
    private ReloadStatus? _status;

    public CertificateStore(IOptions<TlsOptions> options, WebhookMetrics metrics, ILogger<CertificateStore> logger, TimeProvider time)
    {
        // Options are read on first use, not here: the store is built with the endpoints, before the
        // start-up validation that lists every configuration error at once.
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised after every load attempt that saw new content; the argument says whether it was taken.</summary>
    public event EventHandler<bool>? ReloadAttempted;

    public IReadOnlyList<string> WatchedFiles => [CertFile, KeyFile];

    public ReloadStatus Status => Volatile.Read(ref _status) ?? ReloadStatus.NotLoaded(_options.Value.CertFile ?? "Tls:CertFile is not set");

    /// <summary>The certificate in force, or null before the start.</summary>
    public X509Certificate2? Current => Volatile.Read(ref _current);

    /// <summary>
    /// TLS settings for the next handshake. One instance per certificate version: SslStream copies
    /// what it needs at the start of the handshake, and the certificate context (chain built once,
    /// offline) is shared instead of rebuilt per connection.
    /// </summary>
    public SslServerAuthenticationOptions ServerOptions => Volatile.Read(ref _serverOptions)
        ?? throw new InvalidOperationException("The certificate is used before it was loaded; FileReloadService loads it at start.");

    public void LoadInitial()
    {
        lock (_gate)
        {
            var (certificate, chain, fingerprint, error) = Read();
            if (certificate is null)
            {
                throw new WebhookStartupException("The serving certificate cannot be loaded:", [error!]);
            }

            _lastAttempt = fingerprint;
            Publish(certificate, chain!, fingerprint!);
            LogLoaded(_logger, CertFile, certificate.Subject, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime());
        }
    }

    public void CheckForChange()
    {
        bool taken;
        lock (_gate)
        {
            var (certificate, chain, fingerprint, error) = Read();
            var attempt = fingerprint ?? error;
            if (attempt == _lastAttempt)
            {
                return;
            }

            _lastAttempt = attempt;
            taken = certificate is not null;
            if (certificate is not null)
            {
                Publish(certificate, chain!, fingerprint!);
                LogReloaded(_logger, CertFile, certificate.Subject, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime());
            }
            else
            {
                _status = Status with { Errors = [error!], FailedAt = _time.GetUtcNow() };
                LogReloadRefused(_logger, CertFile, _current?.Thumbprint ?? "none", error!);
            }

            _metrics.CertificateReloaded(taken);
        }

        ReloadAttempted?.Invoke(this, taken);
    }

    private void Publish(X509Certificate2 certificate, X509Certificate2Collection chain, string fingerprint)
    {
        var context = SslStreamCertificateContext.Create(certificate, chain, offline: true);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // The apiserver speaks HTTP/2 to webhooks when offered; curl and tools fall back to 1.1.
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            ClientCertificateRequired = false,
        };
        Volatile.Write(ref _current, certificate);
        Volatile.Write(ref _serverOptions, options);
        Volatile.Write(ref _status, new ReloadStatus(CertFile, true, _time.GetUtcNow(), fingerprint, [], null));
        _metrics.CertificateInForce(certificate.NotAfter.ToUniversalTime());
        if (certificate.NotAfter.ToUniversalTime() < _time.GetUtcNow())
        {
            LogExpired(_logger, CertFile, certificate.NotAfter.ToUniversalTime());
        }
    }

    private string CertFile => _options.Value.CertFile ?? throw new InvalidOperationException("Tls:CertFile is required.");

    private string KeyFile => _options.Value.KeyFile ?? throw new InvalidOperationException("Tls:KeyFile is required.");

    private (X509Certificate2? Certificate, X509Certificate2Collection? Chain, string? Fingerprint, string? Error) Read()
    {
        byte[] certPem;
        byte[] keyPem;
        try
        {
            certPem = File.ReadAllBytes(CertFile);
            keyPem = File.ReadAllBytes(KeyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return (null, null, null, $"Tls:CertFile '{CertFile}' / Tls:KeyFile '{KeyFile}' cannot be read: {e.Message}");
        }

        var fingerprint = ReloadStatus.FingerprintOf(certPem, keyPem);
        try
        {
            var certText = System.Text.Encoding.ASCII.GetString(certPem);
            var certificate = X509Certificate2.CreateFromPem(certText, System.Text.Encoding.ASCII.GetString(keyPem));
            if (OperatingSystem.IsWindows())
            {
                // SChannel cannot use the ephemeral key CreateFromPem returns; OpenSSL (Linux) can.
                var pfx = certificate.Export(X509ContentType.Pkcs12);
                certificate.Dispose();
                certificate = X509CertificateLoader.LoadPkcs12(pfx, null);
            }

            var all = new X509Certificate2Collection();
            all.ImportFromPem(certText);
            var chain = new X509Certificate2Collection();
            foreach (var extra in all.Skip(1))
            {
                chain.Add(extra);
            }

            return (certificate, chain, fingerprint, null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return (null, null, fingerprint,
                $"Tls:CertFile '{CertFile}' and Tls:KeyFile '{KeyFile}' do not form a usable PEM certificate and key: {e.Message}");
        }
    }
}
