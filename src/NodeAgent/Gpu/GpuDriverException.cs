namespace Platform.NodeAgent.Gpu;

/// <summary>
/// A driver call failed. <see cref="Call"/> names the native function, <see cref="Code"/> its return code,
/// so a log line says exactly what went wrong (e.g. <c>nvmlDeviceGetPowerUsage returned 15 (GPU is lost)</c>).
/// </summary>
internal sealed class GpuDriverException : Exception
{
    public GpuDriverException(string call, int code, string description)
        : base($"{call} returned {code} ({description}).")
    {
        Call = call;
        Code = code;
    }

    public GpuDriverException(string message, Exception? inner = null)
        : base(message, inner)
    {
        Call = string.Empty;
    }

    public string Call { get; }

    public int Code { get; }
}
