using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Platform.Webhook.Admission;
using Platform.Webhook.Diagnostics;
using Platform.Webhook.Tests.Diagnostics;
using Platform.Webhook.Tests.Hosting;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Admission;

/// <summary>What a client can do to the HTTP edge besides sending a good request: stop mid-body, crawl, vanish,
/// or send text the logging cannot carry. None of it may be parsed as a truncated body or logged as a server error.</summary>
public sealed class AdmissionEndpointEdgeTests
{
    private const int BodyIncompleteEventId = 2003;
    private const int BodyInPartsEventId = 2005;

    [Fact]
    public async Task Mutate_ClientStopsSendingMidBody_NotParsedAndCountedIncomplete()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Logging:LogLevel:Platform=Debug"], replaceServices: logs.Install);
        var body = Encoding.UTF8.GetBytes(AdmissionReviews.GpuWorker("uid-half").ToJsonString());
        await using var connection = await RawTlsConnection.OpenAsync(host.AdmissionPort);

        await connection.SendAsync(RawTlsConnection.PostHeaders(body.Length));
        await connection.SendAsync(body.AsMemory(0, body.Length / 2));
        await connection.StopSendingAsync();
        var answer = await connection.ReadToEndAsync();
        await logs.WaitForAsync(BodyIncompleteEventId);

        Assert.DoesNotContain(" 400 ", answer, StringComparison.Ordinal);
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 503", StringComparison.Ordinal), answer);
        var metrics = await MetricsAsync(host);
        Assert.Equal(1, MetricsText.Value(metrics, """raygpu_webhook_bad_requests_total{code="incomplete_body"}"""));
        Assert.Null(MetricsText.Value(metrics, """raygpu_webhook_bad_requests_total{code="400"}"""));
        AssertNoErrors(logs);
    }

    [Fact]
    public async Task Mutate_ListenerClosesMidBody_NotParsedAndCountedIncomplete()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Logging:LogLevel:Platform=Debug"], replaceServices: services =>
        {
            logs.Install(services);
            // The in-flight request never completes: the host gives up on it after this, and Kestrel closes it.
            services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        });
        var body = Encoding.UTF8.GetBytes(AdmissionReviews.GpuWorker("uid-cut").ToJsonString());
        await using var connection = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        await connection.SendAsync(RawTlsConnection.PostHeaders(body.Length));
        await connection.SendAsync(body.AsMemory(0, body.Length / 2));
        // Sent is not yet read: a server that stops before it has taken the request in closes the connection without
        // ever seeing it. The request is in the body read loop once the server says the body is arriving in parts.
        await logs.WaitForAsync(BodyInPartsEventId);

        await host.StopAsync();
        var answer = await connection.ReadToEndAsync();
        await logs.WaitForAsync(BodyIncompleteEventId);

        await AssertCutOffUnparsedAsync(host, logs, answer);
    }

    [Fact]
    public async Task Mutate_BodyReadAbortedBeforeRequestAbortedIsSignalled_CountedIncompleteNotThrown()
    {
        // Kestrel's abort (at the end of its shutdown drain) fails the pending body read with ConnectionAbortedException
        // at once and cancels RequestAborted later from the thread pool: the read fails while the token is still unset.
        var logs = new CapturingLoggerProvider();
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Logging:LogLevel:Platform=Debug"], replaceServices: logs.Install);
        var endpoint = host.App.Services.GetRequiredService<AdmissionEndpoint>();
        var body = Encoding.UTF8.GetBytes(AdmissionReviews.GpuWorker("uid-aborted").ToJsonString());
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(body.AsMemory(0, body.Length / 2)).AsTask().WaitAsync(WebhookTestHost.Timeout);
        await pipe.Writer.CompleteAsync(new ConnectionAbortedException("The connection was aborted because the server is shutting down.")).AsTask().WaitAsync(WebhookTestHost.Timeout);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = AdmissionEndpoint.Path;
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = pipe.Reader.AsStream();

        var thrown = await Record.ExceptionAsync(() => endpoint.InvokeAsync(context).WaitAsync(WebhookTestHost.Timeout));

        Assert.Null(thrown);
        Assert.False(context.RequestAborted.IsCancellationRequested);
        Assert.Contains("shutting down", (await logs.WaitForAsync(BodyIncompleteEventId)).Message, StringComparison.Ordinal);
        Assert.Equal(1, MetricsText.Value(await MetricsAsync(host), """raygpu_webhook_bad_requests_total{code="incomplete_body"}"""));
        Assert.Null(MetricsText.Value(await MetricsAsync(host), """raygpu_webhook_bad_requests_total{code="400"}"""));
        AssertNoErrors(logs);
    }

    [Fact]
    public async Task Mutate_ClientVanishesMidBody_CountedNotLoggedAsError()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Logging:LogLevel:Platform=Debug"], replaceServices: logs.Install);
        await using var connection = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        await connection.SendAsync(RawTlsConnection.PostHeaders(10_000));
        await connection.SendAsync(Encoding.UTF8.GetBytes("""{"apiVersion":"admission.k8s.io/v1","""));

        connection.Vanish();
        await logs.WaitForAsync(BodyIncompleteEventId);

        Assert.Equal(1, MetricsText.Value(await MetricsAsync(host), """raygpu_webhook_bad_requests_total{code="incomplete_body"}"""));
        AssertNoErrors(logs);
    }

    [Fact]
    public async Task Mutate_BodySlowerThanTheMinimumRate_CountedAndAnswered503NotLoggedAsError()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Logging:LogLevel:Platform=Debug"], replaceServices: services =>
        {
            logs.Install(services);
            // Kestrel's body-rate check, made strict so that a body that stops arriving trips it within its grace period.
            services.Configure<KestrelServerOptions>(o => o.Limits.MinRequestBodyDataRate = new MinDataRate(1_000_000, TimeSpan.FromSeconds(1.5)));
        });
        await using var connection = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        await connection.SendAsync(RawTlsConnection.PostHeaders(10_000));
        await connection.SendAsync(Encoding.UTF8.GetBytes("""{"apiVersion":"admission.k8s.io/v1","""));

        var answer = await connection.ReadToEndAsync();
        await logs.WaitForAsync(BodyIncompleteEventId);

        await AssertCutOffUnparsedAsync(host, logs, answer);
    }

    [Fact]
    public async Task Mutate_BodyStillArrivingAfterTheBodyTimeout_CutOffUnparsedAndCounted()
    {
        var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Logging:LogLevel:Platform=Debug"], replaceServices: services =>
        {
            logs.Install(services);
            services.AddSingleton<TimeProvider>(clock);
        });
        var body = Encoding.UTF8.GetBytes(AdmissionReviews.GpuWorker("uid-trickle").ToJsonString());
        await using var connection = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        await connection.SendAsync(RawTlsConnection.PostHeaders(body.Length));
        await connection.SendAsync(body.AsMemory(0, 100));

        // The deadline is armed once the server has read the first part, which it says at Debug.
        await logs.WaitForAsync(BodyInPartsEventId);
        var cutOff = logs.WaitForAsync(BodyIncompleteEventId);
        clock.Advance(AdmissionEndpoint.BodyTimeout + TimeSpan.FromSeconds(1));

        Assert.Contains("not complete after 30 s", (await cutOff).Message, StringComparison.Ordinal);
        var answer = await connection.ReadToEndAsync();
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 503", StringComparison.Ordinal), answer);
        Assert.Equal(1, MetricsText.Value(await MetricsAsync(host), """raygpu_webhook_bad_requests_total{code="incomplete_body"}"""));
    }

    [Theory]
    [InlineData("generateName")]
    [InlineData("name")]
    [InlineData("namespace")]
    public async Task Mutate_LoneSurrogateInLoggedField_AnsweredWithUidNothingEscapesTheAnswerPath(string field)
    {
        var logs = new CapturingLoggerProvider();
        // Information: the request's logging scope (uid, namespace, pod name, cluster, group) is written with the answer.
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Logging:LogLevel:Default=Information"], replaceServices: logs.Install);
        var review = AdmissionReviews.GpuWorker("uid-surrogate");
        var request = review["request"]!.AsObject();
        var placeholder = "PLACEHOLDER-" + field;
        if (field == "namespace")
        {
            request["namespace"] = placeholder;
            request["object"]!["metadata"]!["namespace"] = placeholder;
        }
        else
        {
            request["object"]!["metadata"]![field] = placeholder;
        }

        // JsonNode will not hold a lone surrogate; JSON can, as the escape \ud800.
        var json = review.ToJsonString().Replace(placeholder, @"x\ud800", StringComparison.Ordinal);

        using var response = await host.PostAdmissionAsync(json);

        var answer = await AdmissionResponses.ReadReviewAsync(response);
        Assert.Equal("uid-surrogate", (string?)answer["uid"]);
        Assert.True((bool)answer["allowed"]!);
        // The text is read as no text, never thrown on: no unhandled exception in the server, and no
        // internal-error answer from the handler either (its fallback logs an error).
        AssertNoErrors(logs);
        Assert.Equal(0, MetricsText.Value(await MetricsAsync(host), "raygpu_webhook_errors_total"));
    }

    /// <summary>Never answered from the partial body (no 400), at most a 503, counted, and no server error logged.</summary>
    private static async Task AssertCutOffUnparsedAsync(WebhookTestHost host, CapturingLoggerProvider logs, string answer)
    {
        Assert.DoesNotContain(" 400 ", answer, StringComparison.Ordinal);
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 503", StringComparison.Ordinal), answer);
        Assert.Equal(1, MetricsText.Value(await MetricsAsync(host), """raygpu_webhook_bad_requests_total{code="incomplete_body"}"""));
        AssertNoErrors(logs);
    }

    private static void AssertNoErrors(CapturingLoggerProvider logs)
    {
        var errors = logs.All.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category} {e.EventId}: {e.Message} {e.Exception}").ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    private static async Task<string> MetricsAsync(WebhookTestHost host)
    {
        using var stream = new MemoryStream();
        await host.App.Services.GetRequiredService<WebhookMetrics>().Registry.CollectAndExportAsTextAsync(stream).WaitAsync(WebhookTestHost.Timeout);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
