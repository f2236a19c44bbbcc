namespace Platform.Webhook.Tls;

internal sealed partial class CertificateStore
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information,
        Message = "Serving certificate loaded from {CertFile}: {CertSubject}, thumbprint {CertThumbprint}, valid until {CertNotAfter:O}.")]
    private static partial void LogLoaded(ILogger logger, string certFile, string certSubject, string certThumbprint, DateTime certNotAfter);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information,
        Message = "Serving certificate reloaded from {CertFile}: {CertSubject}, thumbprint {CertThumbprint}, valid until {CertNotAfter:O}; new handshakes use it.")]
    private static partial void LogReloaded(ILogger logger, string certFile, string certSubject, string certThumbprint, DateTime certNotAfter);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning,
        Message = "The new certificate in {CertFile} was refused; the last good one (thumbprint {CertThumbprint}) stays in force. {CertError}")]
    private static partial void LogReloadRefused(ILogger logger, string certFile, string certThumbprint, string certError);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning,
        Message = "The serving certificate from {CertFile} expired at {CertNotAfter:O}; the apiserver will refuse it until it is renewed.")]
    private static partial void LogExpired(ILogger logger, string certFile, DateTime certNotAfter);
}
