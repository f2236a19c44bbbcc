using System.Collections.Frozen;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Allocation;

/// <summary>
/// The device IDs one resource advertises for one inventory snapshot, with the GPU behind each.
/// GPUs with one replica are advertised by UUID; shared GPUs as <c>&lt;uuid&gt;::0..n-1</c>. With a
/// separate shared resource, shared GPUs go there and the rest stay under the primary name.
/// </summary>
internal sealed class ResourceLayout
{
    private readonly FrozenDictionary<string, AdvertisedDevice> _byId;

    private ResourceLayout(long version, IReadOnlyList<AdvertisedDevice> devices, IReadOnlyDictionary<string, int> replicasPerGpu, InventorySnapshot snapshot)
    {
        InventoryVersion = version;
        Devices = devices;
        ReplicasPerGpu = replicasPerGpu;
        Snapshot = snapshot;
        _byId = devices.ToFrozenDictionary(d => d.Id, StringComparer.Ordinal);
    }

    public long InventoryVersion { get; }

    public InventorySnapshot Snapshot { get; }

    /// <summary>Advertised IDs in GPU index order, replicas in order.</summary>
    public IReadOnlyList<AdvertisedDevice> Devices { get; }

    /// <summary>UUID → replicas advertised for it under this resource.</summary>
    public IReadOnlyDictionary<string, int> ReplicasPerGpu { get; }

    /// <summary>True when any GPU of this resource is advertised as more than one replica.</summary>
    public bool HasReplicas => ReplicasPerGpu.Values.Any(r => r > 1);

    public AdvertisedDevice? Find(string id) => _byId.GetValueOrDefault(id);

    public static ResourceLayout Build(InventorySnapshot snapshot, ResourceSettings resource, ReplicaPolicy policy)
    {
        var devices = new List<AdvertisedDevice>();
        var replicasPerGpu = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var gpu in snapshot.Devices)
        {
            if (gpu.ResourceName is not null)
            {
                // A device with its own resource (a MIG profile) is advertised there alone, never replicated.
                if (string.Equals(gpu.ResourceName, resource.ResourceName, StringComparison.Ordinal))
                {
                    replicasPerGpu[gpu.Uuid] = 1;
                    devices.Add(new AdvertisedDevice(gpu.Uuid, gpu, null));
                }

                continue;
            }

            if (resource.NamedByDevices)
            {
                continue;
            }

            var replicas = policy.ReplicasFor(gpu);
            var belongsToShared = policy.SeparateSharedResource && replicas > 1;
            if (belongsToShared != resource.IsShared)
            {
                continue;
            }

            replicasPerGpu[gpu.Uuid] = replicas;
            if (replicas == 1)
            {
                devices.Add(new AdvertisedDevice(gpu.Uuid, gpu, null));
                continue;
            }

            for (var r = 0; r < replicas; r++)
            {
                devices.Add(new AdvertisedDevice(AdvertisedDevice.ReplicaId(gpu.Uuid, r), gpu, r));
            }
        }

        return new ResourceLayout(snapshot.Version, devices, replicasPerGpu, snapshot);
    }
}
