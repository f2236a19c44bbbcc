using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using V1;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>
/// The kubelet's pod-resources API (<c>/v1.PodResourcesLister/List</c>) on a real Unix socket. The library
/// compiles the proto as a client only, so the one server method is bound by hand with its marshallers.
/// </summary>
internal sealed class FakePodResources : IAsyncDisposable
{
    private readonly WebApplication _app;
    private ListPodResourcesResponse _response = new();

    private FakePodResources(WebApplication app) => _app = app;

    public int ListCalls;

    public void SetPods(params PodResources[] pods)
    {
        var response = new ListPodResourcesResponse();
        response.PodResources.AddRange(pods);
        Volatile.Write(ref _response, response);
    }

    public static PodResources Pod(string @namespace, string name, string container, string resource, params string[] deviceIds)
    {
        var devices = new ContainerDevices { ResourceName = resource };
        devices.DeviceIds.AddRange(deviceIds);
        var containerResources = new ContainerResources { Name = container };
        containerResources.Devices.Add(devices);
        var pod = new PodResources { Namespace = @namespace, Name = name };
        pod.Containers.Add(containerResources);
        return pod;
    }

    public static async Task<FakePodResources> StartAsync(string socketPath)
    {
        File.Delete(socketPath);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socketPath, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton<Lister>();
        var app = builder.Build();
        var fake = new FakePodResources(app);
        app.Services.GetRequiredService<Lister>().Owner = fake;
        app.MapGrpcService<Lister>();
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Default);
        await _app.DisposeAsync();
    }

    /// <summary>grpc-dotnet binds virtual methods declared on the type named by [BindServiceMethod], as generated bases do.</summary>
    [BindServiceMethod(typeof(Lister), nameof(BindService))]
    internal class Lister
    {
        private static readonly Method<ListPodResourcesRequest, ListPodResourcesResponse> ListMethod = new(
            MethodType.Unary,
            "v1.PodResourcesLister",
            "List",
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), ListPodResourcesRequest.Parser.ParseFrom),
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), ListPodResourcesResponse.Parser.ParseFrom));

        public FakePodResources? Owner { get; set; }

        public static void BindService(ServiceBinderBase binder, Lister service) =>
            binder.AddMethod(ListMethod, service is null ? null : service.List);

        public virtual Task<ListPodResourcesResponse> List(ListPodResourcesRequest request, ServerCallContext context)
        {
            Interlocked.Increment(ref Owner!.ListCalls);
            return Task.FromResult(Volatile.Read(ref Owner._response));
        }
    }
}
