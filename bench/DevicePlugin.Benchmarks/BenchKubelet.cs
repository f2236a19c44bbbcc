using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.DevicePlugin.Transport;
using V1Beta1;

namespace Platform.DevicePlugin.Benchmarks;

/// <summary>
/// A kubelet stand-in: serves Registration on kubelet.sock and, like the kubelet, dials the plugin back
/// (GetDevicePluginOptions) before answering. Each accepted registration is reported with its timestamp.
/// </summary>
internal sealed class BenchKubelet : IAsyncDisposable
{
    private WebApplication? _app;

    public Channel<(RegisterRequest Request, long Timestamp)> Registrations { get; } = Channel.CreateUnbounded<(RegisterRequest, long)>();

    public long ListeningTimestamp { get; private set; }

    public static async Task<BenchKubelet> StartAsync(string directory)
    {
        var socket = Path.Combine(directory, KubeletPaths.KubeletSocketName);
        File.Delete(socket);
        var kubelet = new BenchKubelet();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(kubelet);
        builder.Services.AddSingleton(new KubeletDirectory(directory));
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<RegistrationService>();
        await app.StartAsync();
        kubelet.ListeningTimestamp = Stopwatch.GetTimestamp();
        kubelet._app = app;
        return kubelet;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed record KubeletDirectory(string Path);

    private sealed class RegistrationService(BenchKubelet kubelet, KubeletDirectory directory) : V1Beta1.Registration.RegistrationBase
    {
        public override async Task<Empty> Register(RegisterRequest request, ServerCallContext context)
        {
            using var channel = UnixSocketChannel.Create(Path.Combine(directory.Path, request.Endpoint));
            await new V1Beta1.DevicePlugin.DevicePluginClient(channel).GetDevicePluginOptionsAsync(new Empty(), deadline: DateTime.UtcNow.AddSeconds(10));
            kubelet.Registrations.Writer.TryWrite((request, Stopwatch.GetTimestamp()));
            return new Empty();
        }
    }
}
