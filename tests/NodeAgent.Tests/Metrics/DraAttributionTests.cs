using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;
using V1;

namespace Platform.NodeAgent.Tests.Metrics;

/// <summary>GPUs held through ResourceClaims (pod-resources <c>dynamic_resources</c>) are attributed like device-plugin GPUs.</summary>
public class DraAttributionTests
{
    private const string Driver = "gpu.raygpu.io";
    private const string Node = "gpu-node-1";
    private static readonly Platform.NodeAgent.Gpu.GpuDiscovery Discovery = TestGpus.Discovery(4);
    private static readonly DraDeviceResolver Resolver = new(Driver, Node, Discovery);

    private static PodResources ClaimPod(string @namespace, string name, string container, params (string Driver, string Pool, string Device)[] devices)
    {
        var claim = new DynamicResource { ClaimName = $"{name}-gpu", ClaimNamespace = @namespace };
        foreach (var (driver, pool, device) in devices)
        {
            var resource = new ClaimResource { DriverName = driver, PoolName = pool, DeviceName = device };
            resource.CdiDevices.Add(new CDIDevice { Name = $"k8s.{driver}/claim={name}" });
            claim.ClaimResources.Add(resource);
        }

        var containerResources = new ContainerResources { Name = container };
        containerResources.DynamicResources.Add(claim);
        var pod = new PodResources { Namespace = @namespace, Name = name };
        pod.Containers.Add(containerResources);
        return pod;
    }

    private static ListPodResourcesResponse Response(params PodResources[] pods)
    {
        var response = new ListPodResourcesResponse();
        response.PodResources.AddRange(pods);
        return response;
    }

    [Fact]
    public void Flatten_ClaimDevicesOfThisDriverAndNode_BecomeGpuUuidsUnderTheDriver()
    {
        var response = Response(ClaimPod("ml", "rc-gpu-worker-x", "ray-worker", (Driver, Node, "gpu-1"), (Driver, Node, "gpu-3")));

        var entry = Assert.Single(PodResourcesClient.Flatten(response, Resolver));

        Assert.Equal(("ml", "rc-gpu-worker-x", "ray-worker", Driver), (entry.Namespace, entry.Pod, entry.Container, entry.ResourceName));
        Assert.Equal([Discovery.Devices[1].Uuid, Discovery.Devices[3].Uuid], entry.DeviceIds);
    }

    [Theory]
    [InlineData("nic.example.com", Node, "gpu-1")]
    [InlineData(Driver, "gpu-node-2", "gpu-1")]
    [InlineData(Driver, Node, "gpu-9")]
    [InlineData(Driver, Node, "gpu-01")]
    [InlineData(Driver, Node, "")]
    public void Flatten_DevicesThatAreNotThisNodesGpus_AreLeftOut(string driver, string pool, string device)
    {
        var response = Response(ClaimPod("ml", "p", "c", (driver, pool, device)));

        Assert.Empty(PodResourcesClient.Flatten(response, Resolver));
    }

    [Fact]
    public void Flatten_DevicePluginMode_IgnoresDynamicResourcesAndKeepsDevices()
    {
        var pod = ClaimPod("ml", "p", "c", (Driver, Node, "gpu-0"));
        var devices = new V1.ContainerDevices { ResourceName = "nvidia.com/gpu" };
        devices.DeviceIds.Add(Discovery.Devices[2].Uuid);
        pod.Containers[0].Devices.Add(devices);

        var entry = Assert.Single(PodResourcesClient.Flatten(Response(pod), dra: null));

        Assert.Equal(("nvidia.com/gpu", Discovery.Devices[2].Uuid), (entry.ResourceName, Assert.Single(entry.DeviceIds)));
    }

    [Fact]
    public void Build_SharedClaimAcrossContainers_AttributesTheGpuToEveryContainerWithItsRayCluster()
    {
        var pod = ClaimPod("ml", "rc-gpu-worker-x", "ray-worker", (Driver, Node, "gpu-0"), (Driver, Node, "gpu-0"));
        var sidecar = new ContainerResources { Name = "sidecar" };
        sidecar.DynamicResources.Add(pod.Containers[0].DynamicResources[0]);
        pod.Containers.Add(sidecar);
        var uuids = Discovery.Devices.Select(d => d.Uuid).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var attribution = PodAttributionBuilder.Build(
            PodResourcesClient.Flatten(Response(pod), Resolver),
            uuids,
            (_, _) => new Dictionary<string, string> { ["ray.io/cluster"] = "rc", ["ray.io/group"] = "gpu" });

        var holders = attribution[Discovery.Devices[0].Uuid];
        Assert.Equal(["ray-worker", "sidecar"], holders.Select(h => h.Container));
        Assert.All(holders, h => Assert.Equal(("rc", "gpu"), (h.RayCluster, h.RayGroup)));
        Assert.Single(attribution);
    }
}
