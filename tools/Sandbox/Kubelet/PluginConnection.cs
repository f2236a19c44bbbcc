using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using V1Beta1;

namespace Platform.Sandbox.Kubelet;

/// <summary>
/// The kubelet's side of one registered plugin: the channel it dialled back on, the plugin's options, and the
/// ListAndWatch stream it keeps reading; every message replaces the whole device list.
/// </summary>
internal sealed class PluginConnection : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CancellationTokenSource _stop = new();
    private Task _watch = Task.CompletedTask;

    private PluginConnection(string resource, string socketPath, GrpcChannel channel, DevicePluginOptions options)
    {
        Resource = resource;
        SocketPath = socketPath;
        _channel = channel;
        Client = new V1Beta1.DevicePlugin.DevicePluginClient(channel);
        Options = options;
    }

    public string Resource { get; }

    public string SocketPath { get; }

    public V1Beta1.DevicePlugin.DevicePluginClient Client { get; }

    public DevicePluginOptions Options { get; }

    /// <summary>Dials the plugin's socket and asks for its options, within the kubelet's 10 s.</summary>
    public static async Task<PluginConnection> DialAsync(string resource, string socketPath, CancellationToken cancellationToken)
    {
        var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            },
        });
        try
        {
            var client = new V1Beta1.DevicePlugin.DevicePluginClient(channel);
            var options = await client.GetDevicePluginOptionsAsync(new Empty(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new PluginConnection(resource, socketPath, channel, options);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    /// <summary>Reads ListAndWatch until the plugin ends it or the kubelet stops; <paramref name="onDevices"/> gets each full list, null when the stream ended.</summary>
    public void StartWatching(Action<IReadOnlyList<Device>?> onDevices)
    {
        _watch = Task.Run(async () =>
        {
            try
            {
                using var call = Client.ListAndWatch(new Empty(), cancellationToken: _stop.Token);
                await foreach (var message in call.ResponseStream.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    onDevices([.. message.Devices]);
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or IOException)
            {
                // The plugin went away or the kubelet is stopping; either way the stream is over.
            }

            if (!_stop.IsCancellationRequested)
            {
                onDevices(null);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _watch.ConfigureAwait(false);
        _channel.Dispose();
        _stop.Dispose();
    }
}
