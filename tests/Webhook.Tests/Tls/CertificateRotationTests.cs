using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Webhook.Tests.Diagnostics;
using Platform.Webhook.Tests.Hosting;
using Platform.Webhook.Tls;

namespace Platform.Webhook.Tests.Tls;

public sealed class CertificateRotationTests
{
    /// <summary>The promise: a rotated certificate is presented within 5 s, with no restart.</summary>
    private static readonly TimeSpan RotationDeadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Handshake_AfterCertificateRewritten_PresentsNewCertificateWithin5s()
    {
        await using var host = await WebhookTestHost.StartAsync();
        using var cancel = new CancellationTokenSource(WebhookTestHost.Timeout);
        Assert.Equal(host.Certificate.Thumbprint, await TlsProbe.ServerThumbprintAsync(host.AdmissionPort, cancel.Token));
        var reloads = ReloadSignal(host);
        using var rotated = TestCertificates.Create("webhook-test-2");
        host.Trust(rotated);

        TestCertificates.WritePem(rotated, host.CertFile, host.KeyFile);
        var presented = await PollHandshakesAsync(host, rotated.Thumbprint, reloads, cancel.Token);

        Assert.Equal(rotated.Thumbprint, presented);
        // The new certificate serves admissions too, and /readyz and the expiry metric follow it.
        using var response = await host.PostAdmissionAsync(AdmissionReviews.PlainPod("uid-after-rotation").ToJsonString());
        Assert.Equal("uid-after-rotation", (string?)(await AdmissionResponses.ReadReviewAsync(response))["uid"]);
        var (_, readyz) = await host.GetHealthAsync("/readyz");
        Assert.Equal(rotated.Thumbprint, (string?)JsonNode.Parse(readyz)!["certificateThumbprint"]);
        var (_, metrics) = await host.GetHealthAsync("/metrics");
        Assert.Equal(rotated.NotAfter.ToUniversalTime().Subtract(DateTime.UnixEpoch).TotalSeconds,
            MetricsText.Value(metrics, "raygpu_webhook_certificate_expiry_timestamp_seconds"));
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_certificate_reloads_total{result=\"success\"}"));
    }

    [Fact]
    public async Task Reload_KeyDoesNotMatchCertificate_LastGoodStaysAndFailureIsReported()
    {
        await using var host = await WebhookTestHost.StartAsync();
        using var cancel = new CancellationTokenSource(WebhookTestHost.Timeout);
        var store = host.App.Services.GetRequiredService<CertificateStore>();
        var attempt = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.ReloadAttempted += (_, taken) => attempt.TrySetResult(taken);
        using var other = TestCertificates.Create("webhook-test-other");

        // A certificate whose key is someone else's: half of a botched rotation.
        using (var otherKey = other.GetECDsaPrivateKey()!)
        {
            File.WriteAllText(host.KeyFile, otherKey.ExportPkcs8PrivateKeyPem());
        }

        Assert.False(await attempt.Task.WaitAsync(WebhookTestHost.Timeout));
        Assert.Equal(host.Certificate.Thumbprint, await TlsProbe.ServerThumbprintAsync(host.AdmissionPort, cancel.Token));
        var (status, readyz) = await host.GetHealthAsync("/readyz");
        Assert.Equal(200, status);
        var errors = JsonNode.Parse(readyz)!["certificate"]!["lastReloadErrors"]!.AsArray();
        Assert.Contains("Tls:KeyFile", (string?)errors.Single(), StringComparison.Ordinal);
        var (_, metrics) = await host.GetHealthAsync("/metrics");
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_certificate_reloads_total{result=\"failure\"}"));
    }

    [Fact]
    public async Task Handshake_Tls12_Accepted()
    {
        await using var host = await WebhookTestHost.StartAsync();
        using var cancel = new CancellationTokenSource(WebhookTestHost.Timeout);

        var thumbprint = await TlsProbe.ServerThumbprintAsync(host.AdmissionPort, cancel.Token, System.Security.Authentication.SslProtocols.Tls12);

        Assert.Equal(host.Certificate.Thumbprint, thumbprint);
    }

    private static Func<TimeSpan, Task> ReloadSignal(WebhookTestHost host)
    {
        var store = host.App.Services.GetRequiredService<CertificateStore>();
        var signal = new SemaphoreSlim(0);
        store.ReloadAttempted += (_, _) => signal.Release();
        return async wait =>
        {
            try
            {
                await signal.WaitAsync(wait);
            }
            catch (OperationCanceledException)
            {
                // Bounded by the caller's deadline.
            }
        };
    }

    /// <summary>Short handshakes until the expected certificate shows or the deadline passes; between
    /// attempts it waits for the store's next reload (bounded), never a fixed sleep.</summary>
    private static async Task<string> PollHandshakesAsync(WebhookTestHost host, string expected, Func<TimeSpan, Task> nextReload, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string presented;
        do
        {
            presented = await TlsProbe.ServerThumbprintAsync(host.AdmissionPort, cancellationToken);
            if (presented == expected)
            {
                return presented;
            }

            await nextReload(TimeSpan.FromMilliseconds(250));
        }
        while (clock.Elapsed < RotationDeadline);

        return presented;
    }
}
