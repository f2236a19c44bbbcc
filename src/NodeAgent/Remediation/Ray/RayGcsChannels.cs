using System.Collections.Concurrent;
using Grpc.Net.Client;

namespace Platform.NodeAgent.Remediation.Ray;

/// <summary>
/// One gRPC channel per GCS address (plaintext HTTP/2: Ray's GCS has no TLS by default), reused across
/// calls and closed when unused for <see cref="IdleLifetime"/>. Ray clusters come and go on a node over
/// months; without the sweep every address ever remediated would keep a channel.
/// </summary>
internal sealed class RayGcsChannels : IDisposable
{
    /// <summary>Far longer than any call's deadline, so a channel swept away has no call in flight.</summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(15);

    // GetClusterStatus lists every node with its resource maps; a few thousand nodes exceed gRPC's 4 MiB default.
    private const int MaxReceiveBytes = 64 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Entry> _channels = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _connectTimeout;
    private bool _disposed;

    public RayGcsChannels(TimeProvider time, TimeSpan connectTimeout)
    {
        _time = time;
        _connectTimeout = connectTimeout;
    }

    public int Count => _channels.Count;

    /// <summary>The channel for <paramref name="address"/> (<c>host:port</c>), or null with why the address is unusable.</summary>
    public GrpcChannel? Get(string address, out string? problem)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        problem = Validate(address);
        if (problem is not null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (_channels.TryGetValue(address, out var existing))
        {
            existing.LastUsed = now;
            return existing.Channel.Value;
        }

        Sweep(now);
        var entry = _channels.GetOrAdd(address, a => new Entry(new Lazy<GrpcChannel>(() => Open(a, _connectTimeout))));
        entry.LastUsed = now;
        return entry.Channel.Value;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var address in _channels.Keys)
        {
            Close(address);
        }
    }

    /// <summary><c>host:port</c> only: a scheme or path here is a template mistake, and would dial something else.</summary>
    internal static string? Validate(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return "the GCS address is empty";
        }

        if (address.Contains("://", StringComparison.Ordinal) || address.Contains('/', StringComparison.Ordinal))
        {
            return $"the GCS address '{RayGcsErrors.Bound(address)}' must be host:port, without a scheme or path";
        }

        // The port is required (Uri would default it to 80); the last ':' after any IPv6 ']' starts it.
        var colon = address.LastIndexOf(':');
        var hasPort = colon > address.LastIndexOf(']')
            && int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
        return hasPort && Uri.TryCreate("http://" + address, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            ? null
            : $"the GCS address '{RayGcsErrors.Bound(address)}' is not host:port";
    }

    private static GrpcChannel Open(string address, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            // A head pod that was replaced keeps its Service name but not its IP: let connections go soon.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        };
        // An HttpClient rather than an HttpHandler keeps Grpc.Net.Client's balancer out: its reconnect backoff
        // (up to 2 min) would fail every call for minutes after a head pod restarts, where a remediation calls
        // seconds apart and each call should simply dial again.
        return GrpcChannel.ForAddress("http://" + address, new GrpcChannelOptions
        {
            HttpClient = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxReceiveBytes,
        });
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (address, entry) in _channels)
        {
            if (now - entry.LastUsed > IdleLifetime)
            {
                Close(address);
            }
        }
    }

    private void Close(string address)
    {
        if (_channels.TryRemove(address, out var entry) && entry.Channel.IsValueCreated)
        {
            entry.Channel.Value.Dispose();
        }
    }

    private sealed class Entry(Lazy<GrpcChannel> channel)
    {
        public Lazy<GrpcChannel> Channel { get; } = channel;

        public DateTimeOffset LastUsed { get; set; }
    }
}
