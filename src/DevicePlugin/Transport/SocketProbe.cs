using System.Net.Sockets;

namespace Platform.DevicePlugin.Transport;

/// <summary>Tells a live Unix socket (something accepts connections) from a stale file left by a dead process.</summary>
public static class SocketProbe
{
    public static async Task<bool> IsServedAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!Path.Exists(path))
        {
            return false;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AccessDenied)
        {
            // Someone else's socket that we may not even connect to: certainly not ours to delete.
            return true;
        }
        catch (SocketException)
        {
            // Connection refused (nobody listens: stale) or not a socket at all.
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A connect that hangs means a listener whose backlog is full: alive.
            return true;
        }
    }
}
