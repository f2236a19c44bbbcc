using System.Runtime.InteropServices;

namespace Platform.NodeAgent.Gpu.Native;

/// <summary>
/// The NVML entry points the agent calls, bound with [LibraryImport]. Versioned names are the ones
/// <c>nvml.h</c> maps the unversioned macros to (nvmlInit → nvmlInit_v2, nvmlDeviceGetPciInfo →
/// nvmlDeviceGetPciInfo_v3, nvmlDeviceGetCount → _v2, nvmlDeviceGetHandleByIndex → _v2).
/// </summary>
internal static unsafe partial class NvmlNative
{
    public const string Library = "libnvidia-ml.so.1";

    public const int Success = 0;
    public const int ErrorNotSupported = 3;
    public const int ErrorNotFound = 6;
    public const int ErrorTimeout = 10;
    public const int ErrorFunctionNotFound = 13;
    public const int ErrorGpuIsLost = 15;
    public const int ErrorResetRequired = 16;
    public const int ErrorArgumentVersionMismatch = 25;

    /// <summary>NVML_DEVICE_UUID_V2_BUFFER_SIZE / NVML_DEVICE_NAME_V2_BUFFER_SIZE.</summary>
    public const int NameBufferSize = 96;
    /// <summary>NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE.</summary>
    public const int DriverVersionBufferSize = 80;
    /// <summary>NVML_NVLINK_MAX_LINKS.</summary>
    public const uint MaxNvLinks = 18;

    public const ulong EventTypeDoubleBitEccError = 0x2;
    public const ulong EventTypeXidCriticalError = 0x8;

    public const int TemperatureGpu = 0;
    public const int ClockSm = 1;
    public const int ClockMem = 2;
    public const int MemoryErrorUncorrected = 1;
    public const int VolatileEcc = 0;

    [LibraryImport(Library, EntryPoint = "nvmlInit_v2")]
    public static partial int Init();

    [LibraryImport(Library, EntryPoint = "nvmlShutdown")]
    public static partial int Shutdown();

    [LibraryImport(Library, EntryPoint = "nvmlErrorString")]
    public static partial nint ErrorString(int result);

    [LibraryImport(Library, EntryPoint = "nvmlSystemGetDriverVersion")]
    public static partial int SystemGetDriverVersion(byte* version, uint length);

    [LibraryImport(Library, EntryPoint = "nvmlSystemGetCudaDriverVersion_v2")]
    public static partial int SystemGetCudaDriverVersion(int* version);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetCount_v2")]
    public static partial int DeviceGetCount(uint* count);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetHandleByIndex_v2")]
    public static partial int DeviceGetHandleByIndex(uint index, nint* device);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetHandleByUUID")]
    public static partial int DeviceGetHandleByUuid(byte* uuid, nint* device);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetUUID")]
    public static partial int DeviceGetUuid(nint device, byte* uuid, uint length);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetName")]
    public static partial int DeviceGetName(nint device, byte* name, uint length);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetMinorNumber")]
    public static partial int DeviceGetMinorNumber(nint device, uint* minor);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetPciInfo_v3")]
    public static partial int DeviceGetPciInfo(nint device, NvmlPciInfo* pci);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetMemoryInfo")]
    public static partial int DeviceGetMemoryInfo(nint device, NvmlMemory* memory);

    /// <summary><c>nvmlMemory_v2</c> = <c>NVML_STRUCT_VERSION(Memory, 2)</c>: the struct's size | 2 &lt;&lt; 24.</summary>
    public static uint MemoryV2Version => (uint)sizeof(NvmlMemoryV2) | (2u << 24);

    /// <summary>Drivers from r510 on; splits out the memory the driver reserves, as nvidia-smi and DCGM report it.</summary>
    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetMemoryInfo_v2")]
    public static partial int DeviceGetMemoryInfoV2(nint device, NvmlMemoryV2* memory);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetCudaComputeCapability")]
    public static partial int DeviceGetCudaComputeCapability(nint device, int* major, int* minor);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetMigMode")]
    public static partial int DeviceGetMigMode(nint device, uint* current, uint* pending);

    /// <summary>NVML_DEVICE_MIG_ENABLE as nvmlDeviceGetMigMode reports the current mode.</summary>
    public const uint MigEnabled = 1;

    /// <summary>gpuInstanceId / computeInstanceId of an event that concerns the whole GPU.</summary>
    public const uint NoInstance = 0xFFFFFFFF;

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetMaxMigDeviceCount")]
    public static partial int DeviceGetMaxMigDeviceCount(nint device, uint* count);

    /// <summary>A MIG device handle; NOT_FOUND for an index without a MIG device (indexes can have gaps).</summary>
    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetMigDeviceHandleByIndex")]
    public static partial int DeviceGetMigDeviceHandleByIndex(nint device, uint index, nint* migDevice);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetGpuInstanceId")]
    public static partial int DeviceGetGpuInstanceId(nint migDevice, uint* id);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetComputeInstanceId")]
    public static partial int DeviceGetComputeInstanceId(nint migDevice, uint* id);

    /// <summary>nvml.h maps nvmlDeviceGetAttributes to _v2, which adds slice counts and memory.</summary>
    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetAttributes_v2")]
    public static partial int DeviceGetAttributes(nint migDevice, NvmlDeviceAttributes* attributes);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetGpuInstanceById")]
    public static partial int DeviceGetGpuInstanceById(nint device, uint id, nint* gpuInstance);

    [LibraryImport(Library, EntryPoint = "nvmlGpuInstanceGetInfo")]
    public static partial int GpuInstanceGetInfo(nint gpuInstance, NvmlGpuInstanceInfo* info);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetTopologyCommonAncestor")]
    public static partial int DeviceGetTopologyCommonAncestor(nint device1, nint device2, int* level);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetNvLinkState")]
    public static partial int DeviceGetNvLinkState(nint device, uint link, int* isActive);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetNvLinkRemotePciInfo_v2")]
    public static partial int DeviceGetNvLinkRemotePciInfo(nint device, uint link, NvmlPciInfo* pci);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetUtilizationRates")]
    public static partial int DeviceGetUtilizationRates(nint device, NvmlUtilization* utilization);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetTemperature")]
    public static partial int DeviceGetTemperature(nint device, int sensor, uint* celsius);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetPowerUsage")]
    public static partial int DeviceGetPowerUsage(nint device, uint* milliwatts);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetTotalEnergyConsumption")]
    public static partial int DeviceGetTotalEnergyConsumption(nint device, ulong* millijoules);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetClockInfo")]
    public static partial int DeviceGetClockInfo(nint device, int type, uint* mhz);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetRetiredPagesPendingStatus")]
    public static partial int DeviceGetRetiredPagesPendingStatus(nint device, int* isPending);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetRemappedRows")]
    public static partial int DeviceGetRemappedRows(nint device, uint* correctable, uint* uncorrectable, uint* isPending, uint* failureOccurred);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetTotalEccErrors")]
    public static partial int DeviceGetTotalEccErrors(nint device, int errorType, int counterType, ulong* count);

    [LibraryImport(Library, EntryPoint = "nvmlEventSetCreate")]
    public static partial int EventSetCreate(nint* set);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceGetSupportedEventTypes")]
    public static partial int DeviceGetSupportedEventTypes(nint device, ulong* eventTypes);

    [LibraryImport(Library, EntryPoint = "nvmlDeviceRegisterEvents")]
    public static partial int DeviceRegisterEvents(nint device, ulong eventTypes, nint set);

    [LibraryImport(Library, EntryPoint = "nvmlEventSetWait_v2")]
    public static partial int EventSetWait(nint set, NvmlEventData* data, uint timeoutMs);

    [LibraryImport(Library, EntryPoint = "nvmlEventSetFree")]
    public static partial int EventSetFree(nint set);
}

/// <summary><c>nvmlPciInfo_t</c> as filled by nvmlDeviceGetPciInfo_v3 (68 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NvmlPciInfo
{
    public fixed byte BusIdLegacy[16];
    public uint Domain;
    public uint Bus;
    public uint Device;
    public uint PciDeviceId;
    public uint PciSubSystemId;
    public fixed byte BusId[32];
}

/// <summary><c>nvmlDeviceAttributes_t</c> as nvmlDeviceGetAttributes_v2 fills it (40 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlDeviceAttributes
{
    public uint MultiprocessorCount;
    public uint SharedCopyEngineCount;
    public uint SharedDecoderCount;
    public uint SharedEncoderCount;
    public uint SharedJpegCount;
    public uint SharedOfaCount;
    public uint GpuInstanceSliceCount;
    public uint ComputeInstanceSliceCount;
    public ulong MemorySizeMB;
}

/// <summary><c>nvmlGpuInstanceInfo_t</c>: parent device, instance id, profile id (NVML_GPU_INSTANCE_PROFILE_*), placement.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlGpuInstanceInfo
{
    public nint Device;
    public uint Id;
    public uint ProfileId;
    public uint PlacementStart;
    public uint PlacementSize;
}

/// <summary><c>nvmlMemory_t</c> (v1): bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemory
{
    public ulong Total;
    public ulong Free;
    public ulong Used;
}

/// <summary>
/// <c>nvmlMemory_v2_t</c>: bytes. <see cref="Used"/> excludes <see cref="Reserved"/>;
/// <see cref="Total"/> = reserved + free + used. Version: <c>NVML_STRUCT_VERSION(Memory, 2)</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemoryV2
{
    public uint Version;
    public ulong Total;
    public ulong Reserved;
    public ulong Free;
    public ulong Used;
}

/// <summary><c>nvmlUtilization_t</c>: percent over the last sample period.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlUtilization
{
    public uint Gpu;
    public uint Memory;
}

/// <summary>
/// <c>nvmlEventData_t</c> of current headers (device, eventType, eventData, gpuInstanceId,
/// computeInstanceId). Older drivers write only the first three fields; the larger buffer is harmless.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlEventData
{
    public nint Device;
    public ulong EventType;
    public ulong EventData;
    public uint GpuInstanceId;
    public uint ComputeInstanceId;
}
