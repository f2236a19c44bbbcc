using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Metrics;

/// <summary>The last sample of one GPU; <see cref="Sample"/> is null when sampling failed.</summary>
internal sealed record GpuReading(GpuDevice Device, GpuSample? Sample);

/// <summary>What a scrape renders: replaced whole by the sampler, read without locks by scrapes.</summary>
internal sealed record GpuSnapshot(DateTimeOffset TakenAt, IReadOnlyList<GpuReading> Readings)
{
    public static readonly GpuSnapshot Empty = new(DateTimeOffset.MinValue, []);
}

/// <summary>A pod (and its container) holding a GPU or a replica of it, with its Ray identity when known.</summary>
internal sealed record PodRef(string Namespace, string Pod, string Container, string RayCluster, string RayGroup);
