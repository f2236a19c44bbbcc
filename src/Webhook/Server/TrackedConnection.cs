using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Platform.Webhook.Server;

/// <summary>
/// One admission connection as <see cref="ConnectionLimiter"/> sees it: how many requests it is serving and since
/// when it has been idle. Set as a connection feature, so the request path marks requests in and out.
/// </summary>
internal sealed class TrackedConnection(ConnectionContext connection, long openedAt)
{
    private int _activeRequests;
    private long _idleSince = openedAt;

    public string Id => connection.ConnectionId;

    /// <summary>True while at least one request on the connection is in progress.</summary>
    public bool Busy => Volatile.Read(ref _activeRequests) > 0;

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the end of the last request, or of the opening.</summary>
    public long IdleSince => Volatile.Read(ref _idleSince);

    public void RequestStarted() => Interlocked.Increment(ref _activeRequests);

    public void RequestEnded(long now)
    {
        Volatile.Write(ref _idleSince, now);
        Interlocked.Decrement(ref _activeRequests);
    }

    /// <summary>
    /// Asks the server to close the connection: HTTP/1.1 closes once a request that may just have arrived is
    /// answered, HTTP/2 sends GOAWAY. A connection that has not closed after <paramref name="grace"/> is aborted.
    /// </summary>
    public void Close(TimeSpan grace, TimeProvider time)
    {
        var lifetime = connection.Features.Get<IConnectionLifetimeNotificationFeature>();
        if (lifetime is null)
        {
            connection.Abort(new ConnectionAbortedException("Closed to make room for a new connection."));
            return;
        }

        lifetime.RequestClose();
        var deadline = new CancellationTokenSource(grace, time);
        var abort = deadline.Token.Register(() => connection.Abort(new ConnectionAbortedException("Did not close after being asked to.")));
        connection.ConnectionClosed.Register(() =>
        {
            abort.Dispose();
            deadline.Dispose();
        });
    }
}
