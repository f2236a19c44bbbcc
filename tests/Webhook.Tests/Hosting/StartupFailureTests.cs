using Platform.Webhook.Hosting;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>What an operator sees when the process cannot start: every error, each naming the key or path.</summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("webhook-start-").FullName;

    [Fact]
    public async Task Start_InvalidPolicy_FailsListingEveryErrorWithItsPath()
    {
        var (cert, key) = WriteCertificate();
        var policy = Path.Combine(_directory, "policy.yaml");
        File.WriteAllText(policy, HostTestPolicies.Invalid);

        var message = await StartFailureAsync(WebhookTestHost.Arguments(cert, key, policy));

        Assert.Contains(policy, message, StringComparison.Ordinal);
        Assert.Contains("profiles.a10g.gpus", message, StringComparison.Ordinal);
        Assert.Contains("rules", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MissingCertificateAndKeyFiles_FailsNamingBothKeys()
    {
        var missing = Path.Combine(_directory, "nope");

        var message = await StartFailureAsync(WebhookTestHost.Arguments(missing + ".crt", missing + ".key", null));

        Assert.Contains("Tls:CertFile", message, StringComparison.Ordinal);
        Assert.Contains("Tls:KeyFile", message, StringComparison.Ordinal);
        Assert.Contains(missing + ".crt", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CertificateNotPem_FailsWithClearMessage()
    {
        var (cert, key) = WriteCertificate();
        File.WriteAllText(cert, "not a certificate");

        var message = await StartFailureAsync(WebhookTestHost.Arguments(cert, key, null));

        Assert.Contains("serving certificate cannot be loaded", message, StringComparison.Ordinal);
        Assert.Contains(cert, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--urls=http://127.0.0.1:0", "not an https URL")]
    [InlineData("--urls=https://127.0.0.1:0;https://127.0.0.1:1", "several addresses")]
    [InlineData("--Health:Port=70000", "Health:Port 70000")]
    [InlineData("--Admission:OnError=maybe", "Admission:OnError 'maybe' is not one of allow, deny")]
    [InlineData("--Health:Port=abc", "Health:Port 'abc' is not a whole number")]
    [InlineData("--Health:ShutdownDelaySeconds=NaN", "Health:ShutdownDelaySeconds 'NaN' is not a number")]
    [InlineData("--Connections:MaxConnections=0", "Connections:MaxConnections 0 is out of range")]
    [InlineData("--Polcy:File=x", "unknown setting 'Polcy:File'; the webhook's settings are urls, Policy:File")]
    [InlineData("--Health:Prot=1", "unknown setting 'Health:Prot'")]
    public async Task Start_BadConfiguration_FailsNamingTheKey(string badArgument, string expected)
    {
        var (cert, key) = WriteCertificate();

        var message = await StartFailureAsync(WebhookTestHost.Arguments(cert, key, null, badArgument));

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WrongTypesAndAnInvalidPolicy_ListedTogether()
    {
        var (cert, key) = WriteCertificate();
        var policy = Path.Combine(_directory, "policy.yaml");
        File.WriteAllText(policy, HostTestPolicies.Invalid);

        var message = await StartFailureAsync(WebhookTestHost.Arguments(cert, key, policy, "--Health:Port=abc", "--Admission:OnError=maybe"));

        Assert.Contains("Health:Port 'abc'", message, StringComparison.Ordinal);
        Assert.Contains("Admission:OnError 'maybe'", message, StringComparison.Ordinal);
        Assert.Contains("profiles.a10g.gpus", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_FrameworkKeysOnTheCommandLine_Accepted()
    {
        await using var host = await WebhookTestHost.StartAsync(extraArgs:
            ["--Logging:Console:FormatterName=simple", "--Kestrel:Limits:MaxRequestHeaderCount=50", "--environment=Production", "--AllowedHosts=*"]);

        var (status, _) = await host.GetHealthAsync("/healthz");

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Start_SeveralBadKeys_EveryErrorListedAtOnce()
    {
        var missing = Path.Combine(_directory, "nope");

        var message = await StartFailureAsync(WebhookTestHost.Arguments(missing + ".crt", missing + ".key", null,
            "--urls=http://127.0.0.1:0", "--Health:Port=-1", "--Health:ShutdownDelaySeconds=1000"));

        Assert.Contains("Tls:CertFile", message, StringComparison.Ordinal);
        Assert.Contains("Tls:KeyFile", message, StringComparison.Ordinal);
        Assert.Contains("not an https URL", message, StringComparison.Ordinal);
        Assert.Contains("Health:Port -1", message, StringComparison.Ordinal);
        Assert.Contains("Health:ShutdownDelaySeconds 1000", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PortTaken_FailsSayingWhichAddress()
    {
        var (cert, key) = WriteCertificate();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var message = await StartFailureAsync(WebhookTestHost.Arguments(cert, key, null, $"--urls=https://127.0.0.1:{port}"));

        Assert.Contains($"127.0.0.1:{port}", message, StringComparison.Ordinal);
        Assert.Contains("AddressAlreadyInUse", message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (string Cert, string Key) WriteCertificate()
    {
        using var certificate = TestCertificates.Create("start-test");
        var cert = Path.Combine(_directory, "tls.crt");
        var key = Path.Combine(_directory, "tls.key");
        TestCertificates.WritePem(certificate, cert, key);
        return (cert, key);
    }

    private static async Task<string> StartFailureAsync(string[] args)
    {
        Exception? failure = null;
        try
        {
            await using var app = Program.Build(args);
            await app.StartAsync().WaitAsync(WebhookTestHost.Timeout);
            await app.StopAsync().WaitAsync(WebhookTestHost.Timeout);
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            failure = e;
        }

        Assert.NotNull(failure);
        var message = StartupFailure.Describe(failure);
        Assert.NotNull(message);
        Assert.StartsWith("raygpu-webhook cannot start:", message, StringComparison.Ordinal);
        return message;
    }
}
