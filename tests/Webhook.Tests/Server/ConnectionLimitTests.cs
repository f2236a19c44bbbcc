using System.Text;
using Platform.Webhook.Tests.Diagnostics;
using Platform.Webhook.Tests.Hosting;

namespace Platform.Webhook.Tests.Server;

/// <summary>The admission connection cap over real loopback TLS (DECISIONS 4): idle connections make room, busy ones do not.</summary>
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Connect_AtTheCapWithIdleConnections_LongestIdleClosedAndNewOneServed()
    {
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Connections:MaxConnections=3"]);
        await using var oldest = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        await using var second = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        await using var third = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        // A request on the oldest connection makes it the most recently active: the second is now the longest idle.
        Assert.StartsWith("HTTP/1.1 200", await PostAsync(oldest, "uid-oldest"), StringComparison.Ordinal);

        await using var newcomer = await RawTlsConnection.OpenAsync(host.AdmissionPort);

        Assert.True(await second.ClosedByServerAsync());
        Assert.StartsWith("HTTP/1.1 200", await PostAsync(newcomer, "uid-newcomer"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await PostAsync(oldest, "uid-oldest-again"), StringComparison.Ordinal);
        var (_, metrics) = await host.GetHealthAsync("/metrics");
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_connections_evicted_total"));
        Assert.Equal(0, MetricsText.Value(metrics, "raygpu_webhook_connections_refused_total"));
    }

    [Fact]
    public async Task Connect_AtTheCapWithEveryConnectionBusy_NewOneRefusedUntilOneIsIdle()
    {
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Connections:MaxConnections=2"]);
        var body = Encoding.UTF8.GetBytes(AdmissionReviews.PlainPod("uid-busy").ToJsonString());
        await using var first = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        await using var second = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        // Both mid-request: headers and half a body sent, the rest held back.
        foreach (var busy in new[] { first, second })
        {
            await busy.SendAsync(RawTlsConnection.PostHeaders(body.Length));
            await busy.SendAsync(body.AsMemory(0, body.Length / 2));
        }

        await WaitForBusyAsync(host, 2);

        // Closed before the handshake: seen as a reset, an end of stream or a failed handshake, by timing.
        var refused = await Record.ExceptionAsync(() => RawTlsConnection.OpenAsync(host.AdmissionPort));
        Assert.True(refused is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException, refused?.ToString() ?? "connected");

        // The first request completes: its connection is idle again, and makes room for the next newcomer.
        await first.SendAsync(body.AsMemory(body.Length / 2));
        Assert.StartsWith("HTTP/1.1 200", await ReadAnswerAsync(first), StringComparison.Ordinal);
        await using var newcomer = await RawTlsConnection.OpenAsync(host.AdmissionPort);
        Assert.StartsWith("HTTP/1.1 200", await PostAsync(newcomer, "uid-after"), StringComparison.Ordinal);
        Assert.True(await first.ClosedByServerAsync());
        var (_, metrics) = await host.GetHealthAsync("/metrics");
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_connections_refused_total"));
    }

    private static async Task<string> PostAsync(RawTlsConnection connection, string uid)
    {
        var body = Encoding.UTF8.GetBytes(AdmissionReviews.PlainPod(uid).ToJsonString());
        await connection.SendAsync(RawTlsConnection.PostHeaders(body.Length));
        await connection.SendAsync(body);
        return await ReadAnswerAsync(connection);
    }

    private static Task<string> ReadAnswerAsync(RawTlsConnection connection) => connection.ReadAnswerAsync();

    /// <summary>The server sees a request only once its headers are parsed; wait (bounded) until both are in.</summary>
    private static async Task WaitForBusyAsync(WebhookTestHost host, int count)
    {
        var limiter = (Platform.Webhook.Server.ConnectionLimiter)host.App.Services.GetService(typeof(Platform.Webhook.Server.ConnectionLimiter))!;
        using var timeout = new CancellationTokenSource(WebhookTestHost.Timeout);
        while (limiter.BusyCount < count)
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }
}
