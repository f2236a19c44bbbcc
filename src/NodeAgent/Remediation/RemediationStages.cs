namespace Platform.NodeAgent.Remediation;

/// <summary>The condition reasons of each stage.</summary>
internal static class RemediationStages
{
    public const string Annotated = "GpuFaultAnnotated";
    public const string Draining = "GpuFaultDraining";
    public const string Evicting = "GpuFaultEvicting";
    public const string Stopped = "GpuFaultStopped";
    public const string Recovered = "GpuRecovered";

    public static string Reason(RemediationStage stage) => stage switch
    {
        RemediationStage.Annotated => Annotated,
        RemediationStage.Draining => Draining,
        RemediationStage.Evicting => Evicting,
        RemediationStage.Stopped => Stopped,
        RemediationStage.Recovered => Recovered,
        _ => string.Empty,
    };

    /// <summary>The stage a condition records; a condition of another writer, or none, is <see cref="RemediationStage.None"/>.</summary>
    public static RemediationStage FromReason(string? reason) => reason switch
    {
        Annotated => RemediationStage.Annotated,
        Draining => RemediationStage.Draining,
        Evicting => RemediationStage.Evicting,
        Stopped => RemediationStage.Stopped,
        Recovered => RemediationStage.Recovered,
        _ => RemediationStage.None,
    };
}
