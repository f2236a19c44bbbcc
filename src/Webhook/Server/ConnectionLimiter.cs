using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Platform.Webhook.Server;

/// <summary>
/// Caps the admission connections (DECISIONS 4): at the cap, a new connection closes the longest-idle one to make
/// room, and is refused only while every connection has a request in progress. Idle clients (a pod opening
/// thousands of TLS connections) can therefore neither exhaust memory nor lock the apiserver out.
/// </summary>
internal sealed class ConnectionLimiter(IOptions<ConnectionOptions> options, TimeProvider time)
{
    /// <summary>How long an evicted connection may take to finish a request it had just received.</summary>
    public static readonly TimeSpan EvictionGrace = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly HashSet<TrackedConnection> _open = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Connections with a request in progress now.</summary>
    public int BusyCount
    {
        get
        {
            lock (_gate)
            {
                return _open.Count(c => c.Busy);
            }
        }
    }

    /// <summary>Admits <paramref name="connection"/>, evicting the longest-idle connection at the cap.</summary>
    /// <returns>The admitted connection and the one closed for it (if any); null when every connection is busy.</returns>
    public (TrackedConnection Admitted, TrackedConnection? Evicted)? TryAdmit(ConnectionContext connection)
    {
        TrackedConnection? evicted = null;
        TrackedConnection admitted;
        lock (_gate)
        {
            if (_open.Count >= options.Value.MaxConnections)
            {
                evicted = LongestIdle();
                if (evicted is null)
                {
                    return null;
                }

                _open.Remove(evicted);
            }

            admitted = new TrackedConnection(connection, time.GetTimestamp());
            _open.Add(admitted);
        }

        evicted?.Close(EvictionGrace, time);
        return (admitted, evicted);
    }

    public void Release(TrackedConnection connection)
    {
        lock (_gate)
        {
            _open.Remove(connection);
        }
    }

    private TrackedConnection? LongestIdle()
    {
        // A linear scan, only when a connection arrives at the cap: cheaper than keeping an ordered index up to
        // date on every request, which is the hot path.
        TrackedConnection? oldest = null;
        foreach (var candidate in _open)
        {
            if (!candidate.Busy && (oldest is null || candidate.IdleSince < oldest.IdleSince))
            {
                oldest = candidate;
            }
        }

        return oldest;
    }
}
