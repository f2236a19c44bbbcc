using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Dra.Slices;

/// <summary>
/// What the node's pool should hold, from discovery and health: a pure function, so the devices, their
/// attributes and the slice split are table-tested and the publisher only writes when the result differs
/// from the API server. Attribute names are unqualified, which the API reads as the driver's own domain
/// (<c>device.attributes["gpu.raygpu.io"].productName</c> in CEL).
/// </summary>
internal static class ResourceSliceBuilder
{
    /// <summary>The API's limit of devices per slice; 64 once any device in it carries taints.</summary>
    public const int MaxDevicesPerSlice = 128;

    public const int MaxDevicesPerSliceWithTaints = 64;

    /// <summary>String attribute values are capped at 64 characters by the API.</summary>
    private const int MaxStringAttribute = 64;

    /// <summary>
    /// The pool's devices by GPU index. An unhealthy GPU is left out, or with <paramref name="deviceTaints"/>
    /// kept with a <c>NoSchedule</c> taint <c>&lt;driver&gt;/unhealthy</c> whose value is the health reason
    /// (<c>xid-79</c>).
    /// </summary>
    public static List<SliceDeviceDto> Devices(
        GpuDiscovery discovery,
        IReadOnlyList<(GpuDevice Device, GpuHealthState State, string Reason)> health,
        string driver,
        bool deviceTaints)
    {
        var states = health.ToDictionary(h => h.Device.Uuid, h => (h.State, h.Reason), StringComparer.OrdinalIgnoreCase);
        var domains = NvLinkDomains.Of(discovery);
        var driverVersion = DraValues.SemanticVersion(discovery.DriverVersion);
        var cudaVersion = discovery.CudaDriverVersion > 0 ? DraValues.SemanticVersion(DriverVersion.FormatCuda(discovery.CudaDriverVersion)) : null;
        var devices = new List<SliceDeviceDto>();
        foreach (var gpu in discovery.Devices.OrderBy(d => d.Index))
        {
            // A GPU the tracker does not know has not been checked: not offered (never fail open).
            var (state, reason) = states.GetValueOrDefault(gpu.Uuid, (GpuHealthState.Unhealthy, "unchecked"));
            if (state != GpuHealthState.Healthy && !deviceTaints)
            {
                continue;
            }

            var attributes = new SortedDictionary<string, DeviceAttributeDto>(StringComparer.Ordinal)
            {
                [DraAttributes.Uuid] = new() { String = gpu.Uuid },
                [DraAttributes.Index] = new() { Int = gpu.Index },
                [DraAttributes.ProductName] = new() { String = Cap(gpu.Name) },
                [DraAttributes.Architecture] = new() { String = GpuLabelBuilder.Family(gpu.ComputeCapability) },
                [DraAttributes.PciBusId] = new() { String = gpu.PciBusId },
            };
            if (DraValues.SemanticVersion(gpu.ComputeCapability.ToString()) is { } capability)
            {
                attributes[DraAttributes.CudaComputeCapability] = new() { Version = capability };
            }

            if (driverVersion is not null)
            {
                attributes[DraAttributes.DriverVersion] = new() { Version = driverVersion };
            }

            if (cudaVersion is not null)
            {
                attributes[DraAttributes.CudaDriverVersion] = new() { Version = cudaVersion };
            }

            if (gpu.NumaNode is { } numa)
            {
                attributes[DraAttributes.NumaNode] = new() { Int = numa };
            }

            if (domains.TryGetValue(gpu.Index, out var domain))
            {
                attributes[DraAttributes.NvLinkDomain] = new() { String = domain };
            }

            devices.Add(new SliceDeviceDto
            {
                Name = DraDeviceName.Of(gpu),
                Attributes = attributes,
                Capacity = new SortedDictionary<string, DeviceCapacityDto>(StringComparer.Ordinal)
                {
                    [DraAttributes.Memory] = new() { Value = DraValues.MebibytesQuantity(gpu.MemoryMiB) },
                },
                Taints = state == GpuHealthState.Healthy ? null : [new DeviceTaintDto { Key = UnhealthyTaintKey(driver), Value = TaintValue(reason), Effect = "NoSchedule" }],
            });
        }

        return devices;
    }

    /// <summary>
    /// The devices split into slices within the API's per-slice limit. A node that found GPUs always has at
    /// least one slice, empty when every GPU is withdrawn, so the pool and its generation stay visible;
    /// a node without GPUs has none.
    /// </summary>
    public static List<List<SliceDeviceDto>> Split(IReadOnlyList<SliceDeviceDto> devices, bool nodeHasGpus, bool deviceTaints)
    {
        if (!nodeHasGpus)
        {
            return [];
        }

        var size = deviceTaints ? MaxDevicesPerSliceWithTaints : MaxDevicesPerSlice;
        var slices = devices.Chunk(size).Select(c => c.ToList()).ToList();
        return slices.Count == 0 ? [[]] : slices;
    }

    /// <summary>A slice of the node's pool (pool name = node name), owned by the Node so it goes when the Node does.</summary>
    public static ResourceSliceDto Slice(string nodeName, string? nodeUid, string driver, long generation, int sliceCount, List<SliceDeviceDto> devices) => new()
    {
        Metadata = new SliceMetaDto
        {
            GenerateName = GenerateName(nodeName, driver),
            OwnerReferences = nodeUid is null ? null : [new OwnerReferenceDto { Name = nodeName, Uid = nodeUid, Controller = true }],
        },
        Spec = new ResourceSliceSpecDto
        {
            Driver = driver,
            NodeName = nodeName,
            Pool = new ResourcePoolDto { Name = nodeName, Generation = generation, ResourceSliceCount = sliceCount },
            Devices = devices,
        },
    };

    public static string UnhealthyTaintKey(string driver) => $"{driver}/unhealthy";

    /// <summary><c>&lt;node&gt;-&lt;driver&gt;-</c>, as the kubelet's own slice controller names them; the server appends 5 characters to at most 58.</summary>
    public static string GenerateName(string nodeName, string driver)
    {
        var prefix = $"{nodeName}-{driver}";
        prefix = prefix.Length > 57 ? prefix[..57] : prefix;
        return prefix.TrimEnd('-', '.') + "-";
    }

    /// <summary>A taint value must be a label value; the health reason words are, anything else is made one.</summary>
    private static string TaintValue(string reason) => GpuLabelBuilder.SanitizeProduct(reason);

    private static string Cap(string value) => value.Length > MaxStringAttribute ? value[..MaxStringAttribute] : value;
}
