using Grpc.Net.Client;
using Platform.DevicePlugin.Transport;
using V1;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// gRPC client of <c>v1.PodResourcesLister/List</c> over the kubelet's Unix socket. The socket is dialled
/// per connection (kubelet restarts replace the file); the receive limit is raised because List carries
/// every pod of the node.
/// </summary>
internal sealed class PodResourcesClient : IPodResourcesClient, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly PodResourcesLister.PodResourcesListerClient _client;

    public PodResourcesClient(string socketPath, int maxReceiveBytes)
    {
        _channel = UnixSocketChannel.Create(socketPath, new GrpcChannelOptions { MaxReceiveMessageSize = maxReceiveBytes });
        _client = new PodResourcesLister.PodResourcesListerClient(_channel);
    }

    public async Task<IReadOnlyList<ContainerDevices>> ListAsync(CancellationToken cancellationToken)
    {
        var response = await _client.ListAsync(new ListPodResourcesRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var result = new List<ContainerDevices>();
        foreach (var pod in response.PodResources)
        {
            foreach (var container in pod.Containers)
            {
                foreach (var devices in container.Devices)
                {
                    result.Add(new ContainerDevices(pod.Namespace, pod.Name, container.Name, devices.ResourceName, [.. devices.DeviceIds]));
                }
            }
        }

        return result;
    }

    public void Dispose() => _channel.Dispose();
}
