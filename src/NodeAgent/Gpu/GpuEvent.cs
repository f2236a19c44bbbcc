namespace Platform.NodeAgent.Gpu;

internal enum GpuEventKind
{
    Xid,
    DoubleBitEcc,
}

/// <summary>An asynchronous driver event (NVML event set): a critical XID (Code is its number) or a double-bit ECC error (Code 0).</summary>
internal sealed record GpuEvent(string Uuid, GpuEventKind Kind, ulong Code)
{
    /// <summary>The GPU instance NVML attributes the event to on a MIG-enabled GPU; null for the whole GPU.</summary>
    public uint? GpuInstanceId { get; init; }
}
