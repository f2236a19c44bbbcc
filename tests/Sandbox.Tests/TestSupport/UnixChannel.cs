using System.Net.Sockets;
using Grpc.Net.Client;

namespace Platform.Sandbox.Tests.TestSupport;

/// <summary>A gRPC channel to a Unix socket, as the device plugin and the agent's pod-resources client open them.</summary>
internal static class UnixChannel
{
    public static GrpcChannel For(string socketPath) =>
        GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            },
        });
}
