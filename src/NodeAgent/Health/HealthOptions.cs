namespace Platform.NodeAgent.Health;

/// <summary>Configuration section <c>Health</c>.</summary>
internal sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>
    /// XIDs caused by applications, not the GPU; they never change health. Comma-separated.
    /// Default <c>13,31,43,45,68,109</c> (the same set NVIDIA's plugin ignores).
    /// </summary>
    public string IgnoredXids { get; set; } = "13,31,43,45,68,109";

    /// <summary>
    /// XIDs that need a GPU reset: the GPU stays unhealthy until it probes healthy after one. Others are
    /// transient. Comma-separated. Default <c>48,64,74,79,94,95,119,120</c>
    /// (double-bit ECC, row-remap failure, NVLink, fallen off the bus, contained/uncontained ECC, GSP).
    /// </summary>
    public string FatalXids { get; set; } = "48,64,74,79,94,95,119,120";

    /// <summary>How often each GPU is probed. Default 10 s.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a GPU with a transient fault must keep passing probes before it is healthy again. Default 60 s.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A GPU at or above this temperature (°C) probes unhealthy (transient). Default none.</summary>
    public int? TemperatureLimitC { get; set; }

    internal IReadOnlySet<ulong> ParsedIgnoredXids => XidList.Parse(IgnoredXids);

    internal IReadOnlySet<ulong> ParsedFatalXids => XidList.Parse(FatalXids);
}
