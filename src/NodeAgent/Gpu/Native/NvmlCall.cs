namespace Platform.NodeAgent.Gpu.Native;

/// <summary>Turns NVML return codes into <see cref="GpuDriverException"/>s naming the call.</summary>
internal static class NvmlCall
{
    public static void Check(string call, int result)
    {
        if (result != NvmlNative.Success)
        {
            throw new GpuDriverException(call, result, Describe(result));
        }
    }

    /// <summary>Success gives the value; NOT_SUPPORTED gives null (the field is left out); anything else throws.</summary>
    public static bool Optional(string call, int result)
    {
        if (result == NvmlNative.Success)
        {
            return true;
        }

        if (result is NvmlNative.ErrorNotSupported or NvmlNative.ErrorFunctionNotFound)
        {
            return false;
        }

        throw new GpuDriverException(call, result, Describe(result));
    }

    public static string Describe(int result)
    {
        try
        {
            var text = NativeText.FromPointer(NvmlNative.ErrorString(result));
            return text.Length > 0 ? text : Fallback(result);
        }
        catch (EntryPointNotFoundException)
        {
            return Fallback(result);
        }
    }

    private static string Fallback(int result) => result switch
    {
        1 => "NVML was not initialized",
        2 => "invalid argument",
        3 => "not supported",
        6 => "not found",
        9 => "driver not loaded",
        10 => "timeout",
        12 => "library not found",
        13 => "function not found",
        15 => "GPU is lost",
        16 => "GPU requires reset",
        _ => "unknown error",
    };
}
