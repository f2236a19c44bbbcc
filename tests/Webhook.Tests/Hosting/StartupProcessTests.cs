using System.Net;
using System.Net.Sockets;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>The real process: what an operator typing at a shell, or reading a crash-looping pod's log, sees.</summary>
public sealed class StartupProcessTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_PrintsUsageAndExits0WithoutBinding(string help)
    {
        // A port this test holds: a server that tried to start would fail (or run) instead of exiting 0.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var run = await WebhookProcess.RunAsync(string.Empty, help, $"--urls=https://127.0.0.1:{port}", $"--Health:Port={port}");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Connections:MaxConnections", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("check-policy", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public async Task Version_PrintsVersionAndExits0()
    {
        var run = await WebhookProcess.RunAsync(string.Empty, "--version");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("raygpu-webhook ", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"^raygpu-webhook \d+\.\d+", run.Stdout);
    }

    [Fact]
    public async Task Start_WrongTypesUnknownKeyAndMissingFiles_EveryErrorListedNoStackTraceNoJsonRecord()
    {
        var run = await WebhookProcess.RunAsync(
            string.Empty,
            "--urls=https://127.0.0.1:0",
            "--Admission:OnError=maybe",
            "--Health:Port=abc",
            "--Connections:IdleTimeoutSeconds=soon",
            "--Polcy:File=x",
            "--Logging:Console:FormatterName=simple");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("raygpu-webhook cannot start:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Admission:OnError 'maybe' is not one of allow, deny", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Health:Port 'abc' is not a whole number", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Connections:IdleTimeoutSeconds 'soon' is not a number", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("unknown setting 'Polcy:File'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Policy:File", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Tls:CertFile is required", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Tls:KeyFile is required", run.Stderr, StringComparison.Ordinal);
        // A framework key is .NET's to read, not an unknown setting.
        Assert.DoesNotContain("'Logging:Console:FormatterName'", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }
}
