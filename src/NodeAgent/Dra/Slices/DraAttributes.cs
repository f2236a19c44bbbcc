namespace Platform.NodeAgent.Dra.Slices;

/// <summary>
/// Attribute and capacity names of a GPU device; unqualified, so in the driver's domain. DeviceClasses,
/// claims and docs/dra.md select on these names: renaming one breaks their CEL, e.g.
/// <c>device.attributes["gpu.raygpu.io"].cudaComputeCapability.compareTo(semver("8.0.0")) >= 0</c>,
/// <c>device.capacity["gpu.raygpu.io"].memory.compareTo(quantity("40Gi")) >= 0</c>, or two linked GPUs with
/// <c>constraints: [{requests: [gpus], matchAttribute: gpu.raygpu.io/nvlinkDomain}]</c>.
/// </summary>
internal static class DraAttributes
{
    public const string Uuid = "uuid";
    public const string Index = "index";
    public const string ProductName = "productName";
    public const string Architecture = "architecture";
    public const string DriverVersion = "driverVersion";
    public const string CudaDriverVersion = "cudaDriverVersion";
    public const string CudaComputeCapability = "cudaComputeCapability";
    public const string PciBusId = "pciBusID";
    public const string NumaNode = "numaNode";
    public const string NvLinkDomain = "nvlinkDomain";

    /// <summary>Capacity: the GPU's memory as a quantity.</summary>
    public const string Memory = "memory";
}
