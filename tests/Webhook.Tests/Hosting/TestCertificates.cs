using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>Self-signed serving certificates for 127.0.0.1, made in the test and written as PEM.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Create(string commonName, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), notAfter ?? now.AddDays(30));
    }

    /// <summary>Writes certificate and key next to each other and then moves them in place, the way
    /// a mount update lands (each file appears whole).</summary>
    public static void WritePem(X509Certificate2 certificate, string certFile, string keyFile)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("test certificate has no EC key");
        var staging = Path.GetDirectoryName(certFile)!;
        var certTemp = Path.Combine(staging, $".cert-{Guid.NewGuid():N}.tmp");
        var keyTemp = Path.Combine(staging, $".key-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(certTemp, certificate.ExportCertificatePem());
        File.WriteAllText(keyTemp, key.ExportPkcs8PrivateKeyPem());
        File.Move(keyTemp, keyFile, overwrite: true);
        File.Move(certTemp, certFile, overwrite: true);
    }
}
