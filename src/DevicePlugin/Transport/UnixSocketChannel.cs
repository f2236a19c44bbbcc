using System.Net.Sockets;
using Grpc.Net.Client;

namespace Platform.DevicePlugin.Transport;

/// <summary>
/// gRPC channels over a Unix domain socket (HTTP/2 cleartext), the kubelet's transport for the
/// device-plugin, registration and pod-resources APIs.
/// </summary>
public static class UnixSocketChannel
{
    /// <summary>
    /// A channel that connects to <paramref name="socketPath"/> on every new connection, so a socket file
    /// replaced by a kubelet restart is picked up without a new channel. <paramref name="options"/> may set
    /// message size limits (raise <c>MaxReceiveMessageSize</c> for pod-resources <c>List</c>); its
    /// <c>HttpHandler</c> is replaced.
    /// </summary>
    public static GrpcChannel Create(string socketPath, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    throw new IOException(Explain(socketPath, e), e);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            // A dead peer (kubelet restarted, socket replaced) must not pin a broken connection for long.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        };
        options ??= new GrpcChannelOptions();
        options.HttpHandler = handler;
        options.DisposeHttpClient = true;
        return GrpcChannel.ForAddress("http://localhost", options);
    }

    /// <summary>Socket errors on a Unix socket read like network errors ("Cannot assign requested address
    /// (localhost:80)" for a missing file); say what they mean for a kubelet socket instead.</summary>
    internal static string Explain(string socketPath, SocketException e) =>
        e.SocketErrorCode switch
        {
            SocketError.AddressNotAvailable when !File.Exists(socketPath) =>
                $"no socket at {socketPath}: the kubelet is not running yet, or its directory is not mounted here",
            SocketError.AddressNotAvailable or SocketError.ConnectionRefused =>
                $"nothing listens on {socketPath}: a stale socket file, or the kubelet is restarting",
            SocketError.AccessDenied =>
                $"permission denied on {socketPath}: the kubelet's sockets are root-owned; run the agent as root",
            _ => $"cannot connect to {socketPath}: {e.Message}",
        };
}
