using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>
/// The real webhook host (Program.Build, real Kestrel, real TLS) on 127.0.0.1 with both ports
/// picked by the OS, a certificate made for the test, and clients that trust exactly the
/// certificates this test wrote.
/// </summary>
internal sealed class WebhookTestHost : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, bool> _trusted = new(StringComparer.OrdinalIgnoreCase);
    private bool _stopped;

    private WebhookTestHost(string directory)
    {
        Directory = directory;
        CertFile = Path.Combine(directory, "tls.crt");
        KeyFile = Path.Combine(directory, "tls.key");
        PolicyFile = Path.Combine(directory, "policy.yaml");
    }

    public string Directory { get; }

    public string CertFile { get; }

    public string KeyFile { get; }

    public string PolicyFile { get; }

    public WebApplication App { get; private set; } = null!;

    public X509Certificate2 Certificate { get; private set; } = null!;

    public int AdmissionPort { get; private set; }

    public int HealthPort { get; private set; }

    /// <summary>HTTPS client for the admission port (HTTP/1.1 and HTTP/2), trusting the test's certificates only.</summary>
    public HttpClient Https { get; private set; } = null!;

    /// <summary>Plain-HTTP client for the health port.</summary>
    public HttpClient Http { get; private set; } = null!;

    public static async Task<WebhookTestHost> StartAsync(
        string? policyYaml = HostTestPolicies.A10g,
        IEnumerable<string>? extraArgs = null,
        Action<IServiceCollection>? replaceServices = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("webhook-host-test-").FullName;
        var host = new WebhookTestHost(directory);
        try
        {
            await host.StartCoreAsync(policyYaml, extraArgs ?? [], replaceServices);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Builds the host from arguments without starting the test plumbing (for start-failure tests).</summary>
    public static string[] Arguments(string certFile, string keyFile, string? policyFile, params string[] extra) =>
    [
        "--urls=https://127.0.0.1:0",
        "--Health:Port=0",
        "--Health:ShutdownDelaySeconds=0",
        $"--Tls:CertFile={certFile}",
        $"--Tls:KeyFile={keyFile}",
        .. policyFile is null ? Array.Empty<string>() : [$"--Policy:File={policyFile}"],
        "--Logging:LogLevel:Default=Warning",
        .. extra,
    ];

    public void Trust(X509Certificate2 certificate) => _trusted[certificate.Thumbprint] = true;

    public void WritePolicy(string yaml) => WriteAtomically(PolicyFile, yaml);

    public Task<HttpResponseMessage> PostAdmissionAsync(string json, CancellationToken cancellationToken = default) =>
        PostAdmissionAsync(Encoding.UTF8.GetBytes(json), "application/json", cancellationToken);

    public async Task<HttpResponseMessage> PostAdmissionAsync(byte[] body, string? contentType, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await Https.PostAsync(new Uri($"https://127.0.0.1:{AdmissionPort}/mutate"), content, cancellationToken).WaitAsync(Timeout, cancellationToken);
    }

    public async Task<(int Status, string Body)> GetHealthAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{HealthPort}{path}")).WaitAsync(Timeout);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
    }

    public Task StopAsync()
    {
        _stopped = true;
        return App.StopAsync().WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        Https?.Dispose();
        Http?.Dispose();
        if (App is not null)
        {
            if (!_stopped)
            {
                await App.StopAsync().WaitAsync(Timeout);
            }

            await App.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private async Task StartCoreAsync(string? policyYaml, IEnumerable<string> extraArgs, Action<IServiceCollection>? replaceServices)
    {
        Certificate = TestCertificates.Create("webhook-test-1");
        Trust(Certificate);
        TestCertificates.WritePem(Certificate, CertFile, KeyFile);
        if (policyYaml is not null)
        {
            WritePolicy(policyYaml);
        }

        var args = Arguments(CertFile, KeyFile, policyYaml is null ? null : PolicyFile, [.. extraArgs]);
        App = Program.Build(args, replaceServices);
        await App.StartAsync().WaitAsync(Timeout);

        var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        AdmissionPort = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal))).Port;
        HealthPort = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal))).Port;

        var tls = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(1) };
        tls.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && _trusted.ContainsKey(certificate.GetCertHashString());
        Https = new HttpClient(tls) { Timeout = Timeout };
        Http = new HttpClient { Timeout = Timeout };
    }

    private static void WriteAtomically(string path, string content)
    {
        var temp = path + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
