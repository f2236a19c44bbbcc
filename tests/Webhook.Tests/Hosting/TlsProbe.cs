using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>A bare TLS handshake against the admission port, to see which certificate it presents.</summary>
internal static class TlsProbe
{
    /// <summary>Returns the SHA-1 thumbprint (as <c>X509Certificate2.Thumbprint</c> writes it) of the presented certificate.</summary>
    public static async Task<string> ServerThumbprintAsync(int port, CancellationToken cancellationToken, SslProtocols protocols = SslProtocols.None)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
            cancellationToken);
        return tls.RemoteCertificate!.GetCertHashString();
    }
}
