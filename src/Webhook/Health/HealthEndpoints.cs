using System.Buffers;
using System.Text.Json;
using Platform.Webhook.Diagnostics;
using Platform.Webhook.Hosting;
using Platform.Webhook.Policy;
using Platform.Webhook.Tls;

namespace Platform.Webhook.Health;

/// <summary>
/// The plain-HTTP port: <c>/healthz</c> (the process answers), <c>/readyz</c> (policy and
/// certificate loaded and not shutting down, with detail) and <c>/metrics</c> (Prometheus text).
/// Nothing else is served here; admission is HTTPS-only on the other port.
/// </summary>
internal sealed class HealthEndpoints(
    PolicyStore policy, CertificateStore certificate, Readiness readiness, WebhookMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is not ("/healthz" or "/readyz" or "/metrics"))
        {
            await WriteTextAsync(context, StatusCodes.Status404NotFound,
                "Not found: this port serves /healthz, /readyz and /metrics; admission is POST /mutate on the HTTPS port.\n").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await WriteTextAsync(context, StatusCodes.Status405MethodNotAllowed, $"Method {context.Request.Method} not allowed: use GET.\n").ConfigureAwait(false);
            return;
        }

        switch (path)
        {
            case "/healthz":
                await WriteTextAsync(context, StatusCodes.Status200OK, "ok\n").ConfigureAwait(false);
                break;
            case "/readyz":
                await WriteReadinessAsync(context).ConfigureAwait(false);
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
                break;
        }
    }

    private async Task WriteReadinessAsync(HttpContext context)
    {
        var policyStatus = policy.Status;
        var certificateStatus = certificate.Status;
        var ready = policyStatus.Loaded && certificateStatus.Loaded && !readiness.ShuttingDown;

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("ready"u8, ready);
            json.WriteBoolean("shuttingDown"u8, readiness.ShuttingDown);
            json.WritePropertyName("policy"u8);
            WriteStatus(json, policyStatus);
            json.WritePropertyName("certificate"u8);
            WriteStatus(json, certificateStatus);
            if (certificate.Current is { } current)
            {
                json.WriteString("certificateThumbprint"u8, current.Thumbprint);
                json.WriteString("certificateNotAfter"u8, current.NotAfter.ToUniversalTime());
            }

            json.WriteEndObject();
        }

        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteStatus(Utf8JsonWriter json, ReloadStatus status)
    {
        json.WriteStartObject();
        json.WriteString("source"u8, status.Source);
        json.WriteBoolean("loaded"u8, status.Loaded);
        if (status.LoadedAt is { } loadedAt)
        {
            json.WriteString("loadedAt"u8, loadedAt);
        }

        if (status.Fingerprint is { } fingerprint)
        {
            json.WriteString("fingerprint"u8, fingerprint);
        }

        // Present only while the newest file on disk is refused and an older version is in force.
        if (status.Errors.Count > 0)
        {
            json.WriteStartArray("lastReloadErrors"u8);
            foreach (var error in status.Errors)
            {
                json.WriteStringValue(error);
            }

            json.WriteEndArray();
            if (status.FailedAt is { } failedAt)
            {
                json.WriteString("lastReloadFailedAt"u8, failedAt);
            }
        }

        json.WriteEndObject();
    }

    private static Task WriteTextAsync(HttpContext context, int statusCode, string text)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
