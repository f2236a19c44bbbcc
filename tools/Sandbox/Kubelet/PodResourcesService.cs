using Grpc.Core;
using V1;

namespace Platform.Sandbox.Kubelet;

/// <summary><c>v1.PodResourcesLister</c> for the pods the simulator admitted: List, Get and GetAllocatableResources.</summary>
internal sealed class PodResourcesService(KubeletSimulator kubelet) : PodResourcesLister.PodResourcesListerBase
{
    public override Task<ListPodResourcesResponse> List(ListPodResourcesRequest request, ServerCallContext context)
    {
        var response = new ListPodResourcesResponse();
        response.PodResources.AddRange(kubelet.Pods().Select(ToPodResources));
        return Task.FromResult(response);
    }

    public override Task<GetPodResourcesResponse> Get(GetPodResourcesRequest request, ServerCallContext context)
    {
        var pod = kubelet.Pods().FirstOrDefault(p => p.Namespace == request.PodNamespace && p.Name == request.PodName)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"pod {request.PodNamespace}/{request.PodName} not found"));
        return Task.FromResult(new GetPodResourcesResponse { PodResources = ToPodResources(pod) });
    }

    public override Task<AllocatableResourcesResponse> GetAllocatableResources(AllocatableResourcesRequest request, ServerCallContext context)
    {
        // The kubelet's allocatable devices are the healthy ones.
        var response = new AllocatableResourcesResponse();
        foreach (var group in kubelet.Devices().Where(d => d.Healthy).GroupBy(d => d.Resource))
        {
            var devices = new ContainerDevices { ResourceName = group.Key };
            devices.DeviceIds.AddRange(group.Select(d => d.Id));
            response.Devices.Add(devices);
        }

        return Task.FromResult(response);
    }

    private static PodResources ToPodResources(PodAdmission pod)
    {
        var resources = new PodResources { Namespace = pod.Namespace, Name = pod.Name };
        foreach (var container in pod.Allocations.GroupBy(a => a.Container))
        {
            var containerResources = new ContainerResources { Name = container.Key };
            foreach (var allocation in container)
            {
                var devices = new ContainerDevices { ResourceName = allocation.Resource };
                devices.DeviceIds.AddRange(allocation.DeviceIds);
                containerResources.Devices.Add(devices);
            }

            resources.Containers.Add(containerResources);
        }

        return resources;
    }
}
