using System.Net;
using System.Net.Sockets;

namespace Platform.Sandbox.Hosting;

/// <summary>Picks a free loopback port for a child that must be told its port up front.</summary>
internal static class FreePort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Null when the port can be bound on loopback, else why not.</summary>
    public static string? Check(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.AddressAlreadyInUse ? $"port {port} on 127.0.0.1 is already in use" : e.Message;
        }
    }
}
