using Grpc.Net.Client;
using Platform.DevicePlugin.Transport;
using V1;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// gRPC client of <c>v1.PodResourcesLister/List</c> over the kubelet's Unix socket. The socket is dialled
/// per connection (kubelet restarts replace the file); the receive limit is raised because List carries
/// every pod of the node. In DRA mode the GPUs a container holds through ResourceClaims come as
/// <c>dynamic_resources</c>; they are reported like device-plugin devices, by UUID under the driver's name.
/// </summary>
internal sealed class PodResourcesClient : IPodResourcesClient, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly PodResourcesLister.PodResourcesListerClient _client;
    private readonly DraDeviceResolver? _dra;

    public PodResourcesClient(string socketPath, int maxReceiveBytes, DraDeviceResolver? dra = null)
    {
        _dra = dra;
        _channel = UnixSocketChannel.Create(socketPath, new GrpcChannelOptions { MaxReceiveMessageSize = maxReceiveBytes });
        _client = new PodResourcesLister.PodResourcesListerClient(_channel);
    }

    public async Task<IReadOnlyList<ContainerDevices>> ListAsync(CancellationToken cancellationToken)
    {
        var response = await _client.ListAsync(new ListPodResourcesRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return Flatten(response, _dra);
    }

    /// <summary>
    /// One entry per container and resource. DRA devices of this driver and node resolve to GPU UUIDs; a
    /// claim's devices of other drivers or pools are not the agent's GPUs and are left out, as is everything
    /// when DRA is off (no resolver).
    /// </summary>
    internal static List<ContainerDevices> Flatten(ListPodResourcesResponse response, DraDeviceResolver? dra)
    {
        var result = new List<ContainerDevices>();
        foreach (var pod in response.PodResources)
        {
            foreach (var container in pod.Containers)
            {
                foreach (var devices in container.Devices)
                {
                    result.Add(new ContainerDevices(pod.Namespace, pod.Name, container.Name, devices.ResourceName, [.. devices.DeviceIds]));
                }

                if (dra is null)
                {
                    continue;
                }

                foreach (var byDriver in container.DynamicResources.SelectMany(d => d.ClaimResources).GroupBy(c => c.DriverName, StringComparer.Ordinal))
                {
                    var uuids = byDriver.Select(c => dra.Resolve(c.DriverName, c.PoolName, c.DeviceName)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                    if (uuids.Count > 0)
                    {
                        result.Add(new ContainerDevices(pod.Namespace, pod.Name, container.Name, byDriver.Key, uuids));
                    }
                }
            }
        }

        return result;
    }

    public void Dispose() => _channel.Dispose();
}
