namespace Platform.NodeAgent.Gpu.Native;

/// <summary>What the CUDA driver API says about one device; cross-checked against NVML by UUID.</summary>
internal sealed record CudaDeviceInfo(int Ordinal, string Uuid, string Name, long MemoryMiB, ComputeCapability ComputeCapability, string PciBusId);

/// <summary>Reads devices through <c>libcuda.so.1</c>. The library must already be loaded by <see cref="NativeLibraryResolver"/>.</summary>
internal static unsafe class CudaDeviceReader
{
    public static (int DriverVersion, IReadOnlyList<CudaDeviceInfo> Devices) Read()
    {
        var init = CudaNative.Init(0);
        if (init == CudaNative.ErrorNoDevice)
        {
            return (ReadVersion(), []);
        }

        CudaCall.Check("cuInit", init);
        var version = ReadVersion();
        int count;
        CudaCall.Check("cuDeviceGetCount", CudaNative.DeviceGetCount(&count));
        var devices = new List<CudaDeviceInfo>(count);
        for (var ordinal = 0; ordinal < count; ordinal++)
        {
            devices.Add(ReadDevice(ordinal));
        }

        return (version, devices);
    }

    private static int ReadVersion()
    {
        int version;
        CudaCall.Check("cuDriverGetVersion", CudaNative.DriverGetVersion(&version));
        return version;
    }

    private static CudaDeviceInfo ReadDevice(int ordinal)
    {
        int device;
        CudaCall.Check("cuDeviceGet", CudaNative.DeviceGet(&device, ordinal));

        var name = stackalloc byte[256];
        CudaCall.Check("cuDeviceGetName", CudaNative.DeviceGetName(name, 256, device));

        CudaUuid uuid;
        CudaCall.Check("cuDeviceGetUuid_v2", CudaNative.DeviceGetUuid(&uuid, device));

        nuint bytes;
        CudaCall.Check("cuDeviceTotalMem_v2", CudaNative.DeviceTotalMem(&bytes, device));

        int major, minor;
        CudaCall.Check("cuDeviceGetAttribute", CudaNative.DeviceGetAttribute(&major, CudaNative.AttributeComputeCapabilityMajor, device));
        CudaCall.Check("cuDeviceGetAttribute", CudaNative.DeviceGetAttribute(&minor, CudaNative.AttributeComputeCapabilityMinor, device));

        var busId = stackalloc byte[32];
        CudaCall.Check("cuDeviceGetPCIBusId", CudaNative.DeviceGetPciBusId(busId, 32, device));

        return new CudaDeviceInfo(
            ordinal,
            NativeText.FormatGpuUuid(new ReadOnlySpan<byte>(uuid.Bytes, 16)),
            NativeText.FromBuffer(new ReadOnlySpan<byte>(name, 256)),
            (long)(bytes / (1024 * 1024)),
            new ComputeCapability(major, minor),
            PciBusId.Normalize(NativeText.FromBuffer(new ReadOnlySpan<byte>(busId, 32))));
    }
}
