using System.Net;
using System.Text.Json.Nodes;
using Platform.Webhook.Tests.Diagnostics;

namespace Platform.Webhook.Tests.Hosting;

public sealed class HealthEndpointsTests
{
    [Fact]
    public async Task Healthz_Running_200Ok()
    {
        await using var host = await WebhookTestHost.StartAsync();

        var (status, body) = await host.GetHealthAsync("/healthz");

        Assert.Equal(200, status);
        Assert.Equal("ok\n", body);
    }

    [Fact]
    public async Task Readyz_PolicyAndCertificateLoaded_ReadyWithDetail()
    {
        await using var host = await WebhookTestHost.StartAsync();

        var (status, body) = await host.GetHealthAsync("/readyz");

        Assert.Equal(200, status);
        var readyz = JsonNode.Parse(body)!;
        Assert.True((bool)readyz["ready"]!);
        Assert.False((bool)readyz["shuttingDown"]!);
        Assert.True((bool)readyz["policy"]!["loaded"]!);
        Assert.Equal(host.PolicyFile, (string?)readyz["policy"]!["source"]);
        Assert.Null(readyz["policy"]!["lastReloadErrors"]);
        Assert.True((bool)readyz["certificate"]!["loaded"]!);
        Assert.Equal(host.Certificate.Thumbprint, (string?)readyz["certificateThumbprint"]);
    }

    [Fact]
    public async Task WrongPort_AdmissionOnHealthPortAndProbesOnHttpsPort_404()
    {
        await using var host = await WebhookTestHost.StartAsync();
        using var body = new StringContent(AdmissionReviews.PlainPod("uid-wrong-port").ToJsonString(), System.Text.Encoding.UTF8, "application/json");

        using var mutateOnHealth = await host.Http.PostAsync(new Uri($"http://127.0.0.1:{host.HealthPort}/mutate"), body).WaitAsync(WebhookTestHost.Timeout);
        using var readyzOnHttps = await host.Https.GetAsync(new Uri($"https://127.0.0.1:{host.AdmissionPort}/readyz")).WaitAsync(WebhookTestHost.Timeout);
        using var metricsOnHttps = await host.Https.GetAsync(new Uri($"https://127.0.0.1:{host.AdmissionPort}/metrics")).WaitAsync(WebhookTestHost.Timeout);

        Assert.Equal(HttpStatusCode.NotFound, mutateOnHealth.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, readyzOnHttps.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, metricsOnHttps.StatusCode);
    }

    [Fact]
    public async Task Metrics_AfterAdmissions_CountsByKindAndDecisionWithLatencyHistogram()
    {
        await using var host = await WebhookTestHost.StartAsync(HostTestPolicies.A10g);
        (await host.PostAdmissionAsync(AdmissionReviews.GpuWorker("m-1").ToJsonString())).Dispose();
        (await host.PostAdmissionAsync(AdmissionReviews.GpuWorker("m-2").ToJsonString())).Dispose();
        (await host.PostAdmissionAsync(AdmissionReviews.PlainPod("m-3").ToJsonString())).Dispose();
        (await host.PostAdmissionAsync(AdmissionReviews.GpuWorkerWithProfile("nope", "m-4").ToJsonString())).Dispose();
        (await host.PostAdmissionAsync("not json")).Dispose();

        using var response = await host.Http.GetAsync(new Uri($"http://127.0.0.1:{host.HealthPort}/metrics")).WaitAsync(WebhookTestHost.Timeout);
        var metrics = await response.Content.ReadAsStringAsync().WaitAsync(WebhookTestHost.Timeout);

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, MetricsText.Value(metrics, "raygpu_webhook_admissions_total{pod_kind=\"worker\",decision=\"patched\"}"));
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_admissions_total{pod_kind=\"other\",decision=\"allowed\"}"));
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_admissions_total{pod_kind=\"worker\",decision=\"denied\"}"));
        Assert.Equal(2, MetricsText.Value(metrics, "raygpu_webhook_admission_duration_seconds_count{decision=\"patched\"}"));
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_bad_requests_total{code=\"400\"}"));
        Assert.Equal(0, MetricsText.Value(metrics, "raygpu_webhook_errors_total"));
        Assert.Equal(0, MetricsText.Value(metrics, "raygpu_webhook_policy_reloads_total{result=\"failure\"}"));
        Assert.Equal(
            host.Certificate.NotAfter.ToUniversalTime().Subtract(DateTime.UnixEpoch).TotalSeconds,
            MetricsText.Value(metrics, "raygpu_webhook_certificate_expiry_timestamp_seconds"));
    }
}
