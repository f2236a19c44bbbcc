using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Platform.NodeAgent.Kubernetes;

namespace Platform.NodeAgent.Tests.Kubernetes;

public sealed class KubeconfigLoaderTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("kubeconfig");

    public void Dispose() => _temp.Delete(recursive: true);

    private static (string CertPem, string KeyPem) NewCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=agent", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_temp.FullName, "config");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void Load_ClientCertificateAndCaFileRelativeToTheKubeconfig()
    {
        var (cert, key) = NewCertificate();
        File.WriteAllText(Path.Combine(_temp.FullName, "ca.crt"), cert);
        var path = Write($"""
            apiVersion: v1
            kind: Config
            current-context: dev
            contexts:
            - name: other
              context: {"{"}cluster: nowhere, user: nobody{"}"}
            - name: dev
              context:
                cluster: dev-cluster
                user: dev-user
            clusters:
            - name: dev-cluster
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority: ca.crt
            users:
            - name: dev-user
              user:
                client-certificate-data: {B64(cert)}
                client-key-data: {B64(key)}
            """);

        var endpoint = KubeconfigLoader.Load(path);

        Assert.Equal(new Uri("https://10.0.0.1:6443"), endpoint.Server);
        Assert.Single(endpoint.CaCertificates!);
        Assert.True(endpoint.ClientCertificate!.HasPrivateKey);
        Assert.Null(endpoint.Token);
        Assert.False(endpoint.SkipTlsVerify);
    }

    [Fact]
    public void Load_ExecPlugin_RefusedWithTheReason()
    {
        var path = Write("""
            current-context: eks
            contexts: [{name: eks, context: {cluster: c, user: u}}]
            clusters: [{name: c, cluster: {server: "https://x"}}]
            users: [{name: u, user: {exec: {command: aws}}}]
            """);

        var error = Assert.Throws<KubeconfigException>(() => KubeconfigLoader.Load(path));
        Assert.Contains("exec or auth-provider", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: Config\n", "no current-context")]
    [InlineData("current-context: a\ncontexts: []\n", "context 'a' is not defined")]
    [InlineData("current-context: a\ncontexts: [{name: a, context: {cluster: c}}]\nclusters: [{name: c, cluster: {}}]\n", "has no server")]
    public void Load_Incomplete_NamesWhatIsMissing(string yaml, string expected)
    {
        var error = Assert.Throws<KubeconfigException>(() => KubeconfigLoader.Load(Write(yaml)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InCluster_ReadsTheServiceAccountFiles()
    {
        var (cert, _) = NewCertificate();
        File.WriteAllText(Path.Combine(_temp.FullName, "ca.crt"), cert);
        File.WriteAllText(Path.Combine(_temp.FullName, "token"), "sa-token\n");

        var endpoint = KubeconfigLoader.InCluster(_temp.FullName, "10.96.0.1", "443");

        Assert.Equal(new Uri("https://10.96.0.1:443"), endpoint.Server);
        Assert.Equal(Path.Combine(_temp.FullName, "token"), endpoint.TokenFile);
        Assert.Single(endpoint.CaCertificates!);
    }
}
