using System.Runtime.InteropServices;

namespace Platform.NodeAgent.Gpu.Native;

/// <summary>
/// The CUDA driver API entry points the agent calls (<c>cuda.h</c>). The <c>_v2</c> names are the ones the
/// header's macros select for 64-bit builds (cuDeviceTotalMem → cuDeviceTotalMem_v2; cuDeviceGetUuid_v2
/// returns the same UUID NVML reports, cuDeviceGetUuid may return a MIG-aware one).
/// </summary>
internal static unsafe partial class CudaNative
{
    public const string Library = "libcuda.so.1";

    public const int Success = 0;
    public const int ErrorNoDevice = 100;

    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR.</summary>
    public const int AttributeComputeCapabilityMajor = 75;
    public const int AttributeComputeCapabilityMinor = 76;

    [LibraryImport(Library, EntryPoint = "cuInit")]
    public static partial int Init(uint flags);

    [LibraryImport(Library, EntryPoint = "cuDriverGetVersion")]
    public static partial int DriverGetVersion(int* version);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetCount")]
    public static partial int DeviceGetCount(int* count);

    [LibraryImport(Library, EntryPoint = "cuDeviceGet")]
    public static partial int DeviceGet(int* device, int ordinal);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetName")]
    public static partial int DeviceGetName(byte* name, int length, int device);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetUuid_v2")]
    public static partial int DeviceGetUuid(CudaUuid* uuid, int device);

    [LibraryImport(Library, EntryPoint = "cuDeviceTotalMem_v2")]
    public static partial int DeviceTotalMem(nuint* bytes, int device);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetAttribute")]
    public static partial int DeviceGetAttribute(int* value, int attribute, int device);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetPCIBusId")]
    public static partial int DeviceGetPciBusId(byte* busId, int length, int device);

    [LibraryImport(Library, EntryPoint = "cuGetErrorName")]
    public static partial int GetErrorName(int error, nint* name);
}

/// <summary><c>CUuuid</c>: 16 raw bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CudaUuid
{
    public fixed byte Bytes[16];
}
