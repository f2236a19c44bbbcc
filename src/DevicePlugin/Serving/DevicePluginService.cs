using Grpc.Core;
using V1Beta1;

namespace Platform.DevicePlugin.Serving;

/// <summary>The gRPC edge of <c>v1beta1.DevicePlugin</c> for one resource; all decisions live in <see cref="ResourcePlugin"/>.</summary>
internal sealed class DevicePluginService(ResourcePlugin plugin) : V1Beta1.DevicePlugin.DevicePluginBase
{
    public override Task<V1Beta1.DevicePluginOptions> GetDevicePluginOptions(Empty request, ServerCallContext context) =>
        Task.FromResult(plugin.GetOptions());

    public override Task ListAndWatch(Empty request, IServerStreamWriter<ListAndWatchResponse> responseStream, ServerCallContext context) =>
        plugin.Streams.RunAsync(responseStream, context.CancellationToken);

    public override Task<PreferredAllocationResponse> GetPreferredAllocation(PreferredAllocationRequest request, ServerCallContext context) =>
        Task.FromResult(plugin.GetPreferredAllocation(request));

    public override Task<AllocateResponse> Allocate(AllocateRequest request, ServerCallContext context) =>
        Task.FromResult(plugin.Allocate(request));

    public override Task<PreStartContainerResponse> PreStartContainer(PreStartContainerRequest request, ServerCallContext context) =>
        Task.FromResult(plugin.PreStartContainer(request));
}
