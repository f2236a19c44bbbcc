using Microsoft.AspNetCore.Connections;
using Platform.Webhook.Diagnostics;

namespace Platform.Webhook.Server;

/// <summary>Kestrel connection middleware of the admission listener, ahead of TLS: a refused connection costs no handshake.</summary>
internal sealed partial class ConnectionLimitMiddleware(ConnectionLimiter limiter, WebhookMetrics metrics, ILogger<ConnectionLimitMiddleware> logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (limiter.TryAdmit(connection) is not var (admitted, evicted))
        {
            metrics.ConnectionRefused();
            LogRefused(logger, connection.RemoteEndPoint?.ToString() ?? "?", limiter.Count);
            connection.Abort(new ConnectionAbortedException("Every admission connection is busy."));
            return;
        }

        if (evicted is not null)
        {
            metrics.ConnectionEvicted();
            LogEvicted(logger, evicted.Id, connection.RemoteEndPoint?.ToString() ?? "?");
        }

        connection.Features.Set(admitted);
        metrics.ConnectionOpened();
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            limiter.Release(admitted);
            metrics.ConnectionClosed();
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Refused a connection from {RemoteEndPoint}: all {ConnectionCount} admission connections have a request in progress (Connections:MaxConnections).")]
    private static partial void LogRefused(ILogger logger, string remoteEndPoint, int connectionCount);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug,
        Message = "Closed idle connection {ConnectionId} to make room for one from {RemoteEndPoint} (Connections:MaxConnections reached).")]
    private static partial void LogEvicted(ILogger logger, string connectionId, string remoteEndPoint);
}
