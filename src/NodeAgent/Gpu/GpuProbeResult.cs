namespace Platform.NodeAgent.Gpu;

internal enum GpuProbeStatus
{
    Ok,
    /// <summary>The GPU fell off the bus or its handle no longer answers (NVML_ERROR_GPU_IS_LOST).</summary>
    Lost,
    /// <summary>Retired pages are waiting for a reset to take effect.</summary>
    PendingPageRetirement,
    /// <summary>Row remapping failed: the memory cannot be repaired without service.</summary>
    RowRemapFailure,
    OverTemperature,
    /// <summary>The probe itself could not run; counted as a failure, never as healthy.</summary>
    Error,
}

/// <summary>
/// The result of one periodic probe of a GPU.
/// <paramref name="ResetGeneration"/> changes every time the driver has evidence the GPU was reset
/// (re-acquired after being lost, volatile ECC counters cleared, a simulator reset); fatal faults
/// only clear after it moved on. <paramref name="TemperatureC"/> is read by the probe where the driver reports it;
/// the health state machine compares it with the configured limit.
/// </summary>
internal sealed record GpuProbeResult(GpuProbeStatus Status, string Detail, long ResetGeneration, uint? TemperatureC = null)
{
    public bool IsOk => Status == GpuProbeStatus.Ok;
}
