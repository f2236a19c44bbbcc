namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>Configuration section <c>Mig</c>: how MIG devices are advertised.</summary>
internal sealed class MigOptions
{
    public const string Section = "Mig";

    /// <summary>
    /// <c>none</c> (whole GPUs as <c>nvidia.com/gpu</c>, MIG devices ignored), <c>single</c> (every MIG
    /// device as <c>nvidia.com/gpu</c>; all MIG GPUs must carry one profile) or <c>mixed</c> (one resource
    /// <c>nvidia.com/mig-&lt;profile&gt;</c> per profile). Default none, as NVIDIA's device plugin.
    /// </summary>
    public string Strategy { get; set; } = MigStrategies.None;
}
