namespace Platform.NodeAgent.Gpu.Native;

/// <summary>Turns CUresult codes into <see cref="GpuDriverException"/>s naming the call.</summary>
internal static unsafe class CudaCall
{
    public static void Check(string call, int result)
    {
        if (result != CudaNative.Success)
        {
            throw new GpuDriverException(call, result, Describe(result));
        }
    }

    public static string Describe(int result)
    {
        nint name = 0;
        try
        {
            return CudaNative.GetErrorName(result, &name) == CudaNative.Success && name != 0
                ? NativeText.FromPointer(name)
                : "CUDA_ERROR_UNKNOWN";
        }
        catch (EntryPointNotFoundException)
        {
            return "CUDA_ERROR_UNKNOWN";
        }
    }
}
