using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Metrics;

/// <summary>The last sample of one GPU; <see cref="Sample"/> is null when sampling failed.</summary>
internal sealed record GpuReading(GpuDevice Device, GpuSample? Sample);

/// <summary>What a scrape renders: replaced whole by the sampler, read without locks by scrapes.</summary>
internal sealed record GpuSnapshot(DateTimeOffset TakenAt, IReadOnlyList<GpuReading> Readings)
{
    public static readonly GpuSnapshot Empty = new(DateTimeOffset.MinValue, []);

    /// <summary>The last sample of every MIG device; empty when MIG is off.</summary>
    public IReadOnlyList<MigReading> MigReadings { get; init; } = [];
}

/// <summary>The last sample of one MIG device and its parent GPU; <see cref="Sample"/> is null when sampling failed.</summary>
internal sealed record MigReading(GpuDevice Parent, Gpu.Mig.MigDevice Device, GpuSample? Sample);

/// <summary>A pod (and its container) holding a GPU or a replica of it, with its Ray identity when known.</summary>
internal sealed record PodRef(string Namespace, string Pod, string Container, string RayCluster, string RayGroup);
