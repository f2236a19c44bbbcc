using Grpc.Core;
using K8S.Io.Kubelet.Pkg.Apis.Dra.V1Beta1;

namespace Platform.NodeAgent.Dra.Prepare;

/// <summary><c>v1beta1.DRAPlugin</c> (kubelets before 1.34): the same thin edge over <see cref="ClaimPreparer"/>.</summary>
internal sealed class DraPluginServiceV1Beta1(ClaimPreparer preparer) : DRAPlugin.DRAPluginBase
{
    public override async Task<NodePrepareResourcesResponse> NodePrepareResources(NodePrepareResourcesRequest request, ServerCallContext context)
    {
        var outcomes = await preparer.PrepareAsync([.. request.Claims.Select(c => new ClaimRef(c.Namespace, c.Name, c.Uid))], context.CancellationToken).ConfigureAwait(false);
        var response = new NodePrepareResourcesResponse();
        foreach (var (uid, outcome) in outcomes)
        {
            var claim = new NodePrepareResourceResponse { Error = outcome.Error ?? string.Empty };
            claim.Devices.AddRange(outcome.Devices.Select(d =>
            {
                var device = new Device { PoolName = d.PoolName, DeviceName = d.DeviceName };
                device.RequestNames.AddRange(d.RequestNames);
                device.CdiDeviceIds.AddRange(d.CdiDeviceIds);
                return device;
            }));
            response.Claims[uid] = claim;
        }

        return response;
    }

    public override async Task<NodeUnprepareResourcesResponse> NodeUnprepareResources(NodeUnprepareResourcesRequest request, ServerCallContext context)
    {
        var errors = await preparer.UnprepareAsync([.. request.Claims.Select(c => new ClaimRef(c.Namespace, c.Name, c.Uid))], context.CancellationToken).ConfigureAwait(false);
        var response = new NodeUnprepareResourcesResponse();
        foreach (var (uid, error) in errors)
        {
            response.Claims[uid] = new NodeUnprepareResourceResponse { Error = error ?? string.Empty };
        }

        return response;
    }
}
