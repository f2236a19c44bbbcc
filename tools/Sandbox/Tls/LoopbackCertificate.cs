using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Platform.Sandbox.Tls;

/// <summary>
/// A fresh self-signed server certificate for 127.0.0.1 and localhost, valid for a day: the sandbox's webhook and fake
/// API server serve with it, and their clients trust exactly it (custom root trust), never the system store.
/// </summary>
internal sealed class LoopbackCertificate : IDisposable
{
    private LoopbackCertificate(X509Certificate2 certificate, string keyPem)
    {
        Certificate = certificate;
        KeyPem = keyPem;
        CertificatePem = certificate.ExportCertificatePem();
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePem { get; }

    public string KeyPem { get; }

    public static LoopbackCertificate Create(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // An ephemeral key cannot serve TLS on every platform; round-trip through PKCS#12.
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        return new LoopbackCertificate(certificate, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>True when <paramref name="presented"/> chains to this certificate alone.</summary>
    public bool Trusts(X509Certificate? presented)
    {
        if (presented is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(presented);
        return chain.Build(leaf);
    }

    public void Dispose() => Certificate.Dispose();
}
