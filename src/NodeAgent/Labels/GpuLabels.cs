namespace Platform.NodeAgent.Labels;

/// <summary>The Node label keys the agent owns: GPU Feature Discovery's, so existing node selectors keep working.</summary>
internal static class GpuLabels
{
    public const string Present = "nvidia.com/gpu.present";
    public const string Count = "nvidia.com/gpu.count";
    public const string Product = "nvidia.com/gpu.product";
    public const string Memory = "nvidia.com/gpu.memory";
    public const string Family = "nvidia.com/gpu.family";
    public const string ComputeMajor = "nvidia.com/gpu.compute.major";
    public const string ComputeMinor = "nvidia.com/gpu.compute.minor";
    public const string DriverMajor = "nvidia.com/cuda.driver-version.major";
    public const string DriverMinor = "nvidia.com/cuda.driver-version.minor";
    public const string DriverRevision = "nvidia.com/cuda.driver-version.revision";
    public const string DriverFull = "nvidia.com/cuda.driver-version.full";
    public const string RuntimeMajor = "nvidia.com/cuda.runtime-version.major";
    public const string RuntimeMinor = "nvidia.com/cuda.runtime-version.minor";
    public const string RuntimeFull = "nvidia.com/cuda.runtime-version.full";
    public const string Replicas = "nvidia.com/gpu.replicas";
    public const string SharingStrategy = "nvidia.com/gpu.sharing-strategy";
    public const string MigCapable = "nvidia.com/mig.capable";
    public const string Timestamp = "nvidia.com/gfd.timestamp";
    public const string MigStrategy = "nvidia.com/mig.strategy";
    public const string Multiprocessors = "nvidia.com/gpu.multiprocessors";
    public const string SlicesGi = "nvidia.com/gpu.slices.gi";
    public const string SlicesCi = "nvidia.com/gpu.slices.ci";
    public const string EnginesCopy = "nvidia.com/gpu.engines.copy";
    public const string EnginesDecoder = "nvidia.com/gpu.engines.decoder";
    public const string EnginesEncoder = "nvidia.com/gpu.engines.encoder";
    public const string EnginesJpeg = "nvidia.com/gpu.engines.jpeg";
    public const string EnginesOfa = "nvidia.com/gpu.engines.ofa";

    /// <summary>Prefix of the mixed strategy's per-profile keys (<c>nvidia.com/mig-1g.10gb.count</c>).</summary>
    public const string MigProfilePrefix = "nvidia.com/mig-";

    /// <summary>Set on a Node whose GPUs are simulated (<c>Gpu:Driver=simulated</c>), so nobody mistakes them for real ones.</summary>
    public const string Simulated = "raygpu.io/simulated";

    /// <summary>Every key above: a key in this set that the agent no longer computes is removed from the Node.</summary>
    public static readonly IReadOnlySet<string> Owned = new HashSet<string>(StringComparer.Ordinal)
    {
        Present, Count, Product, Memory, Family, ComputeMajor, ComputeMinor,
        DriverMajor, DriverMinor, DriverRevision, DriverFull, RuntimeMajor, RuntimeMinor, RuntimeFull,
        Replicas, SharingStrategy, MigCapable, Timestamp,
        MigStrategy, Multiprocessors, SlicesGi, SlicesCi, EnginesCopy, EnginesDecoder, EnginesEncoder, EnginesJpeg, EnginesOfa,
        Simulated,
    };

    /// <summary>Whether the agent owns <paramref name="key"/>: one of <see cref="Owned"/> or a mixed-strategy MIG profile key.</summary>
    public static bool IsOwned(string key) => Owned.Contains(key) || key.StartsWith(MigProfilePrefix, StringComparison.Ordinal);
}
