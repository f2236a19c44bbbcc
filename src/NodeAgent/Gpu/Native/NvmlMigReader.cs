using Platform.NodeAgent.Gpu.Mig;

namespace Platform.NodeAgent.Gpu.Native;

/// <summary>
/// Reads the MIG devices of a MIG-enabled GPU through NVML: handles by index up to the GPU's maximum
/// (gaps answer NOT_FOUND), then each device's UUID, GPU/compute instance ids and attributes. The
/// GPU-instance profile (for the <c>+me</c>-style suffix) needs nvmlDeviceGetGpuInstanceById, which the
/// driver refuses without MIG monitor access; the name then has no suffix. MIG mode is only read.
/// </summary>
internal static unsafe class NvmlMigReader
{
    public static List<(MigDevice Device, nint Handle)> Read(GpuDevice parent, nint parentHandle, string procRoot)
    {
        var found = new List<(MigDevice, nint)>();
        uint max;
        if (!NvmlCall.Optional("nvmlDeviceGetMaxMigDeviceCount", NvmlNative.DeviceGetMaxMigDeviceCount(parentHandle, &max)))
        {
            return found;
        }

        for (uint index = 0; index < max; index++)
        {
            nint handle;
            var result = NvmlNative.DeviceGetMigDeviceHandleByIndex(parentHandle, index, &handle);
            if (result == NvmlNative.ErrorNotFound)
            {
                continue;
            }

            NvmlCall.Check("nvmlDeviceGetMigDeviceHandleByIndex", result);
            found.Add((ReadOne(parent, parentHandle, handle, (int)index, procRoot), handle));
        }

        return found;
    }

    private static MigDevice ReadOne(GpuDevice parent, nint parentHandle, nint handle, int index, string procRoot)
    {
        var uuid = stackalloc byte[NvmlNative.NameBufferSize];
        NvmlCall.Check("nvmlDeviceGetUUID", NvmlNative.DeviceGetUuid(handle, uuid, NvmlNative.NameBufferSize));
        uint gi, ci;
        NvmlCall.Check("nvmlDeviceGetGpuInstanceId", NvmlNative.DeviceGetGpuInstanceId(handle, &gi));
        NvmlCall.Check("nvmlDeviceGetComputeInstanceId", NvmlNative.DeviceGetComputeInstanceId(handle, &ci));
        NvmlDeviceAttributes attributes;
        NvmlCall.Check("nvmlDeviceGetAttributes_v2", NvmlNative.DeviceGetAttributes(handle, &attributes));

        uint? profileId = null;
        nint instance;
        NvmlGpuInstanceInfo info;
        if (NvmlNative.DeviceGetGpuInstanceById(parentHandle, gi, &instance) == NvmlNative.Success
            && NvmlNative.GpuInstanceGetInfo(instance, &info) == NvmlNative.Success)
        {
            profileId = info.ProfileId;
        }

        var memoryMiB = (long)attributes.MemorySizeMB;
        var gpuSlices = (int)attributes.GpuInstanceSliceCount;
        var computeSlices = (int)attributes.ComputeInstanceSliceCount;
        return new MigDevice(
            NativeText.FromBuffer(new ReadOnlySpan<byte>(uuid, NvmlNative.NameBufferSize)),
            parent.Uuid,
            parent.Index,
            index,
            gi,
            ci,
            MigProfile.Name(gpuSlices, computeSlices, memoryMiB, parent.MemoryMiB, profileId),
            memoryMiB,
            (int)attributes.MultiprocessorCount,
            new MigSlices(gpuSlices, computeSlices),
            new MigEngines(
                (int)attributes.SharedCopyEngineCount,
                (int)attributes.SharedDecoderCount,
                (int)attributes.SharedEncoderCount,
                (int)attributes.SharedJpegCount,
                (int)attributes.SharedOfaCount))
        {
            CapabilityDevices = MigCapabilities.Read(procRoot, parent.MinorNumber, gi, ci),
        };
    }
}
