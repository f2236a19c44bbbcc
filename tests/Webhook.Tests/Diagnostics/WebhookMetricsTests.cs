using Platform.Webhook.Diagnostics;

namespace Platform.Webhook.Tests.Diagnostics;

public sealed class WebhookMetricsTests
{
    [Fact]
    public async Task NewRegistry_EverySeriesPublishedAtZero()
    {
        var text = await ExpositionAsync(new WebhookMetrics());

        foreach (var kind in WebhookMetrics.PodKinds)
        {
            foreach (var decision in WebhookMetrics.AdmissionDecisions)
            {
                Assert.Equal(0, MetricsText.Value(text, $"raygpu_webhook_admissions_total{{pod_kind=\"{kind}\",decision=\"{decision}\"}}"));
            }
        }

        Assert.Equal(0, MetricsText.Value(text, "raygpu_webhook_admission_duration_seconds_count{decision=\"patched\"}"));
        Assert.Equal(0, MetricsText.Value(text, "raygpu_webhook_errors_total"));
        Assert.Equal(0, MetricsText.Value(text, "raygpu_webhook_certificate_reloads_total{result=\"failure\"}"));
        Assert.Equal(0, MetricsText.Value(text, "raygpu_webhook_certificate_expiry_timestamp_seconds"));
    }

    [Fact]
    public async Task AdmissionAnswered_Error_CountsAdmissionLatencyAndError()
    {
        var metrics = new WebhookMetrics();

        metrics.AdmissionAnswered("worker", "error", TimeSpan.FromMilliseconds(3));
        metrics.AdmissionAnswered("head", "patched", TimeSpan.FromMicroseconds(80));

        var text = await ExpositionAsync(metrics);
        Assert.Equal(1, MetricsText.Value(text, "raygpu_webhook_admissions_total{pod_kind=\"worker\",decision=\"error\"}"));
        Assert.Equal(1, MetricsText.Value(text, "raygpu_webhook_errors_total"));
        Assert.Equal(1, MetricsText.Value(text, "raygpu_webhook_admission_duration_seconds_bucket{decision=\"error\",le=\"0.005\"}"));
        Assert.Equal(0, MetricsText.Value(text, "raygpu_webhook_admission_duration_seconds_bucket{decision=\"error\",le=\"0.0025\"}"));
        Assert.Equal(1, MetricsText.Value(text, "raygpu_webhook_admission_duration_seconds_bucket{decision=\"patched\",le=\"0.0001\"}"));
    }

    [Fact]
    public async Task CertificateInForce_ExpiryAsUnixSeconds()
    {
        var metrics = new WebhookMetrics();

        metrics.CertificateInForce(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(1798761600, MetricsText.Value(await ExpositionAsync(metrics), "raygpu_webhook_certificate_expiry_timestamp_seconds"));
    }

    [Fact]
    public async Task TwoInstances_DoNotShareCounters()
    {
        var first = new WebhookMetrics();
        var second = new WebhookMetrics();

        first.BadRequest(415);

        Assert.Equal(1, MetricsText.Value(await ExpositionAsync(first), "raygpu_webhook_bad_requests_total{code=\"415\"}"));
        Assert.Null(MetricsText.Value(await ExpositionAsync(second), "raygpu_webhook_bad_requests_total{code=\"415\"}"));
    }

    private static async Task<string> ExpositionAsync(WebhookMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
