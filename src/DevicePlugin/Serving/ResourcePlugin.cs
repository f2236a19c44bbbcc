using System.Diagnostics;
using Grpc.Core;
using Platform.DevicePlugin.Allocation;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Inventory;
using V1Beta1;

namespace Platform.DevicePlugin.Serving;

/// <summary>
/// Everything one advertised resource answers, independent of the transport: options, device lists,
/// allocation and preferred allocation. <see cref="DevicePluginService"/> is the gRPC edge over it.
/// Lives as long as the process; servers and registrations come and go around it.
/// </summary>
internal sealed class ResourcePlugin
{
    private readonly DeviceInventory _inventory;
    private readonly EventPublisher _events;
    private readonly AllocateResponseBuilder _responses;
    private ResourceLayout? _layout;

    public ResourcePlugin(ResourceSettings resource, PluginSettings settings, DeviceInventory inventory, EventPublisher events, TimeProvider timeProvider, DevicePluginStatus? status = null, Func<string, bool>? hostPathExists = null)
    {
        Resource = resource;
        Settings = settings;
        _inventory = inventory;
        _events = events;
        TimeProvider = timeProvider;
        Status = status ?? new DevicePluginStatus();
        _responses = new AllocateResponseBuilder(settings, hostPathExists ?? Path.Exists);
        Streams = new ListAndWatchStreams(this);
    }

    public ResourceSettings Resource { get; }

    public string ResourceName => Resource.ResourceName;

    public PluginSettings Settings { get; }

    public TimeProvider TimeProvider { get; }

    public DeviceInventory Inventory => _inventory;

    public DevicePluginStatus Status { get; }

    public ListAndWatchStreams Streams { get; }

    internal EventPublisher Events => _events;

    public V1Beta1.DevicePluginOptions GetOptions() => new()
    {
        PreStartRequired = Settings.PreStartCheck,
        GetPreferredAllocationAvailable = Settings.PreferredAllocation,
    };

    /// <summary>The layout for the current inventory, rebuilt only when the inventory version moved.</summary>
    public ResourceLayout CurrentLayout()
    {
        var snapshot = _inventory.Current;
        var layout = Volatile.Read(ref _layout);
        if (layout is null || layout.InventoryVersion != snapshot.Version)
        {
            layout = ResourceLayout.Build(snapshot, Resource, Settings.Replicas);
            Volatile.Write(ref _layout, layout);
        }

        return layout;
    }

    public ListAndWatchResponse BuildDeviceList(ResourceLayout layout)
    {
        var response = new ListAndWatchResponse();
        foreach (var device in layout.Devices)
        {
            var message = new Device
            {
                ID = device.Id,
                Health = device.Gpu.IsHealthy ? KubeletPaths.Healthy : KubeletPaths.Unhealthy,
            };
            if (device.Gpu.NumaNode is { } numa)
            {
                message.Topology = new TopologyInfo { Nodes = { new NUMANode { ID = numa } } };
            }

            response.Devices.Add(message);
        }

        return response;
    }

    public AllocateResponse Allocate(AllocateRequest request)
    {
        var started = Stopwatch.GetTimestamp();
        var layout = CurrentLayout();
        var response = new AllocateResponse();
        var allocated = new List<DevicesAllocated>(request.ContainerRequests.Count);
        foreach (var container in request.ContainerRequests)
        {
            var validated = DeviceRequestValidator.Validate(container.DevicesIds, layout, ResourceName, Settings.Replicas.FailRequestsGreaterThanOne);
            if (validated.Error is { } error)
            {
                throw Reject(error);
            }

            response.ContainerResponses.Add(_responses.Build(validated.Gpus));
            allocated.Add(new DevicesAllocated(
                ResourceName,
                validated.Ids,
                validated.Gpus.Select(g => g.Uuid).ToArray(),
                validated.Gpus.Select(_responses.VisibleId).ToArray(),
                Stopwatch.GetElapsedTime(started)));
        }

        if (request.ContainerRequests.Count == 0)
        {
            throw Reject(new AllocationError(StatusCode.InvalidArgument, $"the Allocate request for resource '{ResourceName}' has no container requests", null));
        }

        foreach (var e in allocated)
        {
            _events.Publish(e);
        }

        return response;
    }

    public PreferredAllocationResponse GetPreferredAllocation(PreferredAllocationRequest request)
    {
        var layout = CurrentLayout();
        var response = new PreferredAllocationResponse();
        foreach (var container in request.ContainerRequests)
        {
            if (PreferredRequestValidator.Validate(container.AvailableDeviceIDs, container.MustIncludeDeviceIDs, container.AllocationSize, layout, ResourceName) is { } error)
            {
                throw Reject(error);
            }

            var choice = PreferredAllocationPolicy.Choose(
                layout,
                container.AvailableDeviceIDs,
                container.MustIncludeDeviceIDs,
                container.AllocationSize,
                Settings.Replicas.Placement);
            response.ContainerResponses.Add(new ContainerPreferredAllocationResponse { DeviceIDs = { choice.DeviceIds } });
            _events.Publish(new PreferredAllocationComputed(ResourceName, choice.DeviceIds, choice.TopologyAligned));
        }

        return response;
    }

    /// <summary>A no-op unless PreStartCheck is on; then the container's devices must still be known and healthy.</summary>
    public PreStartContainerResponse PreStartContainer(PreStartContainerRequest request)
    {
        if (Settings.PreStartCheck)
        {
            var validated = DeviceRequestValidator.Validate(request.DevicesIds, CurrentLayout(), ResourceName, failRequestsGreaterThanOne: false);
            if (validated.Error is { } error)
            {
                throw Reject(error);
            }
        }

        return new PreStartContainerResponse();
    }

    private RpcException Reject(AllocationError error)
    {
        // The log gets the same bounded text as the caller: IDs in a request are unbounded.
        var deviceId = error.DeviceId is { Length: > DeviceIdText.MaxIdChars } id ? id[..DeviceIdText.MaxIdChars] + "…" : error.DeviceId;
        _events.Publish(new AllocationRejected(ResourceName, deviceId, error.Code.ToString(), DeviceIdText.Cap(error.Message)));
        return error.ToRpcException();
    }
}
