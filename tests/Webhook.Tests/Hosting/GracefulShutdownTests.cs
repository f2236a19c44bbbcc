using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Webhook.Tests.Hosting;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Stop_ReadinessFalseFirst_WhileAdmissionsStillServedAndInFlightRequestFinishes()
    {
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Health:ShutdownDelaySeconds=2"]);
        var body = System.Text.Encoding.UTF8.GetBytes(AdmissionReviews.PlainPod("uid-in-flight").ToJsonString());
        var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var content = new TwoPartContent(body, halfSent, release.Task);
        content.Headers.ContentType = new("application/json");
        var inFlight = host.Https.PostAsync(new Uri($"https://127.0.0.1:{host.AdmissionPort}/mutate"), content);
        await halfSent.Task.WaitAsync(WebhookTestHost.Timeout);

        var stopping = host.StopAsync();
        var readyz = await PollUntilNotReadyAsync(host);

        Assert.Equal(503, readyz.Status);
        Assert.True((bool)JsonNode.Parse(readyz.Body)!["shuttingDown"]!);
        // Readiness went first: the listeners still take new admissions during the delay.
        using (var during = await host.PostAdmissionAsync(AdmissionReviews.PlainPod("uid-during-drain").ToJsonString()))
        {
            Assert.Equal("uid-during-drain", (string?)(await AdmissionResponses.ReadReviewAsync(during))["uid"]);
        }

        release.SetResult();
        using var finished = await inFlight.WaitAsync(WebhookTestHost.Timeout);
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("uid-in-flight", (string?)(await AdmissionResponses.ReadReviewAsync(finished))["uid"]);
        await stopping.WaitAsync(WebhookTestHost.Timeout);
    }

    [Fact]
    public async Task Build_LongShutdownDelay_HostStopBudgetLeavesTheDrainItsTimeAfterTheDelay()
    {
        await using var app = Program.Build(WebhookTestHost.Arguments("tls.crt", "tls.key", null, "--Health:ShutdownDelaySeconds=40"));

        var budget = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.Extensions.Hosting.HostOptions>>().Value.ShutdownTimeout;

        Assert.Equal(TimeSpan.FromSeconds(55), budget);
    }

    /// <summary>Readiness flips inside the host's stop sequence; poll with short requests, bounded.</summary>
    private static async Task<(int Status, string Body)> PollUntilNotReadyAsync(WebhookTestHost host)
    {
        var clock = Stopwatch.StartNew();
        (int Status, string Body) readyz;
        do
        {
            readyz = await host.GetHealthAsync("/readyz");
        }
        while (readyz.Status == 200 && clock.Elapsed < TimeSpan.FromSeconds(2));

        return readyz;
    }

    /// <summary>Sends half the body, says so, and sends the rest only when released: a request in flight.</summary>
    private sealed class TwoPartContent(byte[] body, TaskCompletionSource halfSent, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = body.Length / 2;
            await stream.WriteAsync(body.AsMemory(0, half));
            await stream.FlushAsync();
            halfSent.SetResult();
            await release.WaitAsync(WebhookTestHost.Timeout);
            await stream.WriteAsync(body.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
