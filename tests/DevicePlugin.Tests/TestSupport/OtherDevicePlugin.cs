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
/// A second, independent device plugin on a given socket path (as NVIDIA's would hold nvidia-gpu.sock),
/// over a real Unix socket; its GetDevicePluginOptions answers PreStartRequired=true to tell it apart.
/// </summary>
internal sealed class OtherDevicePlugin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _socket;

    private OtherDevicePlugin(WebApplication app, string socket)
    {
        _app = app;
        _socket = socket;
    }

    public static async Task<OtherDevicePlugin> StartAsync(string socket)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync().DefaultTimeout();
        return new OtherDevicePlugin(app, socket);
    }

    /// <summary>True when the other plugin itself answered on the socket path.</summary>
    public async Task<bool> AnswersAsync()
    {
        using var channel = UnixSocketChannel.Create(_socket);
        var options = await new V1Beta1.DevicePlugin.DevicePluginClient(channel).GetDevicePluginOptionsAsync(new Empty()).ResponseAsync.DefaultTimeout();
        return options.PreStartRequired;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
    }

    private sealed class Service : V1Beta1.DevicePlugin.DevicePluginBase
    {
        public override Task<V1Beta1.DevicePluginOptions> GetDevicePluginOptions(Empty request, ServerCallContext context) =>
            Task.FromResult(new V1Beta1.DevicePluginOptions { PreStartRequired = true });
    }
}
