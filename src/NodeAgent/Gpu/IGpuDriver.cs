namespace Platform.NodeAgent.Gpu;

/// <summary>
/// The seam between the agent and the GPU driver: exactly the calls the agent makes. Implemented over
/// NVML, over the CUDA driver API (discovery only) and by the simulator. Calls may block in native code;
/// callers run them off the request path (a scrape never reaches this interface).
/// </summary>
internal interface IGpuDriver : IDisposable
{
    /// <summary>nvml, cuda or simulated.</summary>
    string Name { get; }

    GpuDiscovery Discover();

    GpuSample Sample(GpuDevice device);

    /// <summary>Framebuffer figures of one MIG device (NVML reports little else per instance); drivers without MIG report none.</summary>
    GpuSample SampleMig(Mig.MigDevice device) => GpuSample.None;

    GpuProbeResult Probe(GpuDevice device);

    /// <summary>Whether <see cref="WaitForEvent"/> delivers XID / ECC events.</summary>
    bool SupportsEvents { get; }

    /// <summary>Blocks up to <paramref name="timeout"/> for the next event; null when none came.</summary>
    GpuEvent? WaitForEvent(TimeSpan timeout);
}
