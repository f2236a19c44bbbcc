using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.DevicePlugin.Transport;
using V1Beta1;

namespace Platform.DevicePlugin.Tests.TestSupport;

/// <summary>
/// An in-process kubelet device manager over a real Unix socket: serves <c>v1beta1.Registration</c> on
/// kubelet.sock, and on Register validates the request, dials the plugin back, calls
/// GetDevicePluginOptions and opens ListAndWatch, as the kubelet does.
/// </summary>
internal sealed class FakeKubelet : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly Channel<PluginConnection> _connections = Channel.CreateUnbounded<PluginConnection>();
    private readonly List<PluginConnection> _all = [];

    private FakeKubelet(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, KubeletPaths.KubeletSocketName);

    /// <summary>When set, Register answers with this status instead of accepting.</summary>
    public StatusCode? RejectWith { get; set; }

    public static async Task<FakeKubelet> StartAsync(string directory)
    {
        var socket = Path.Combine(directory, KubeletPaths.KubeletSocketName);
        File.Delete(socket);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket, o => o.Protocols = HttpProtocols.Http2));
        var kubelet = new FakeKubelet(directory);
        builder.Services.AddSingleton(kubelet);
        var app = builder.Build();
        app.MapGrpcService<RegistrationService>();
        await app.StartAsync().DefaultTimeout();
        kubelet._app = app;
        return kubelet;
    }

    /// <summary>The next plugin that registered and was dialled back.</summary>
    public Task<PluginConnection> NextRegistrationAsync() => _connections.Reader.ReadAsync().DefaultTimeout();

    public async ValueTask DisposeAsync()
    {
        PluginConnection[] connections;
        lock (_all)
        {
            connections = [.. _all];
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync().DefaultTimeout();
            await _app.DisposeAsync();
        }
    }

    private async Task<Empty> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        if (RejectWith is { } code)
        {
            throw new RpcException(new Status(code, "rejected by the test"));
        }

        if (request.Version != KubeletPaths.ApiVersion)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"unsupported version {request.Version}"));
        }

        if (!request.ResourceName.Contains('/', StringComparison.Ordinal) || request.Endpoint.Contains('/', StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "bad resource name or endpoint"));
        }

        var connection = await PluginConnection.ConnectAsync(request, Path.Combine(Directory, request.Endpoint), cancellationToken);
        lock (_all)
        {
            _all.Add(connection);
        }

        _connections.Writer.TryWrite(connection);
        return new Empty();
    }

    private sealed class RegistrationService(FakeKubelet kubelet) : V1Beta1.Registration.RegistrationBase
    {
        public override Task<Empty> Register(RegisterRequest request, ServerCallContext context) =>
            kubelet.RegisterAsync(request, context.CancellationToken);
    }
}

/// <summary>The kubelet's side of one registered plugin: its client and the device lists it streamed.</summary>
internal sealed class PluginConnection : IAsyncDisposable
{
    private readonly Channel<ListAndWatchResponse> _lists = Channel.CreateUnbounded<ListAndWatchResponse>();
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;

    private PluginConnection(RegisterRequest request, Grpc.Net.Client.GrpcChannel channel)
    {
        Request = request;
        GrpcChannel = channel;
        Client = new V1Beta1.DevicePlugin.DevicePluginClient(channel);
    }

    public RegisterRequest Request { get; }

    public Grpc.Net.Client.GrpcChannel GrpcChannel { get; }

    public V1Beta1.DevicePlugin.DevicePluginClient Client { get; }

    public V1Beta1.DevicePluginOptions Options { get; private set; } = new();

    /// <summary>Completes when the ListAndWatch stream ends (with its status when it failed).</summary>
    public Task StreamEnded => _reader;

    public static async Task<PluginConnection> ConnectAsync(RegisterRequest request, string socketPath, CancellationToken cancellationToken)
    {
        var connection = new PluginConnection(request, UnixSocketChannel.Create(socketPath));
        connection.Options = await connection.Client.GetDevicePluginOptionsAsync(new Empty(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
        connection._reader = connection.ReadAsync();
        return connection;
    }

    public Task<ListAndWatchResponse> NextListAsync() => _lists.Reader.ReadAsync().DefaultTimeout();

    /// <summary>Reads lists until one satisfies <paramref name="predicate"/>.</summary>
    public async Task<ListAndWatchResponse> ListMatchingAsync(Func<ListAndWatchResponse, bool> predicate)
    {
        while (true)
        {
            var list = await NextListAsync();
            if (predicate(list))
            {
                return list;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or TimeoutException)
        {
            // The stream ends with Cancelled when we stop reading it.
        }

        GrpcChannel.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        using var call = Client.ListAndWatch(new Empty(), cancellationToken: _stop.Token);
        await foreach (var list in call.ResponseStream.ReadAllAsync(_stop.Token))
        {
            _lists.Writer.TryWrite(list);
        }

        _lists.Writer.TryComplete();
    }
}
