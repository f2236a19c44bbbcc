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

    /// <summary>
    /// One throwaway registration round trip (Register, then the dial-back to a minimal plugin this method
    /// serves itself), so the first real registration timed against this stand-in does not include the JIT
    /// compiling its gRPC server and client paths: what is timed is the plugin's start, not this process's.
    /// </summary>
    public async Task WarmUpAsync(string directory)
    {
        const string endpoint = "bench-warm-up.sock";
        var socket = Path.Combine(directory, endpoint);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket, o => o.Protocols = HttpProtocols.Http2));
        await using var plugin = builder.Build();
        plugin.MapGrpcService<WarmUpPlugin>();
        await plugin.StartAsync();
        using (var channel = UnixSocketChannel.Create(Path.Combine(directory, KubeletPaths.KubeletSocketName)))
        {
            await new V1Beta1.Registration.RegistrationClient(channel).RegisterAsync(
                new RegisterRequest { Version = "v1beta1", Endpoint = endpoint, ResourceName = "bench.example.com/warm-up" },
                deadline: DateTime.UtcNow.AddSeconds(30));
        }

        await Registrations.Reader.ReadAsync();
        await plugin.StopAsync();
        File.Delete(socket);
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

    private sealed class WarmUpPlugin : V1Beta1.DevicePlugin.DevicePluginBase
    {
        public override Task<DevicePluginOptions> GetDevicePluginOptions(Empty request, ServerCallContext context) =>
            Task.FromResult(new DevicePluginOptions());
    }

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
