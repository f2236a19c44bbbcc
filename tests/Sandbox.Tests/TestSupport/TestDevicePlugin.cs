using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using V1Beta1;

namespace Platform.Sandbox.Tests.TestSupport;

/// <summary>
/// A scripted device plugin on a real Unix socket, to drive the kubelet simulator: the test decides each
/// ListAndWatch message and the GetPreferredAllocation answer, and sees every Allocate.
/// </summary>
internal sealed class TestDevicePlugin : V1Beta1.DevicePlugin.DevicePluginBase, IAsyncDisposable
{
    private WebApplication? _app;

    public Channel<ListAndWatchResponse> Updates { get; } = Channel.CreateUnbounded<ListAndWatchResponse>();

    public Func<IReadOnlyList<string>, IReadOnlyList<string>> Prefer { get; set; } = available => available.Take(1).ToList();

    public ConcurrentQueue<AllocateRequest> Allocations { get; } = new();

    public static async Task<TestDevicePlugin> StartAsync(string socketPath)
    {
        var plugin = new TestDevicePlugin();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(plugin);
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socketPath, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<TestDevicePlugin>();
        await app.StartAsync().DefaultTimeout();
        plugin._app = app;
        return plugin;
    }

    public void Send(params (string Id, bool Healthy)[] devices)
    {
        var message = new ListAndWatchResponse();
        message.Devices.AddRange(devices.Select(d => new Device { ID = d.Id, Health = d.Healthy ? "Healthy" : "Unhealthy" }));
        Updates.Writer.TryWrite(message);
    }

    public override Task<DevicePluginOptions> GetDevicePluginOptions(Empty request, ServerCallContext context) =>
        Task.FromResult(new DevicePluginOptions { GetPreferredAllocationAvailable = true });

    public override async Task ListAndWatch(Empty request, IServerStreamWriter<ListAndWatchResponse> responseStream, ServerCallContext context)
    {
        await foreach (var message in Updates.Reader.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(message);
        }
    }

    public override Task<PreferredAllocationResponse> GetPreferredAllocation(PreferredAllocationRequest request, ServerCallContext context)
    {
        var response = new PreferredAllocationResponse();
        foreach (var container in request.ContainerRequests)
        {
            var answer = new ContainerPreferredAllocationResponse();
            answer.DeviceIDs.AddRange(Prefer([.. container.AvailableDeviceIDs]));
            response.ContainerResponses.Add(answer);
        }

        return Task.FromResult(response);
    }

    public override Task<AllocateResponse> Allocate(AllocateRequest request, ServerCallContext context)
    {
        Allocations.Enqueue(request);
        var response = new AllocateResponse();
        foreach (var container in request.ContainerRequests)
        {
            var answer = new ContainerAllocateResponse();
            answer.Envs["NVIDIA_VISIBLE_DEVICES"] = string.Join(",", container.DevicesIds);
            response.ContainerResponses.Add(answer);
        }

        return Task.FromResult(response);
    }

    public async ValueTask DisposeAsync()
    {
        Updates.Writer.TryComplete();
        if (_app is not null)
        {
            await _app.StopAsync().DefaultTimeout();
            await _app.DisposeAsync();
        }
    }
}
