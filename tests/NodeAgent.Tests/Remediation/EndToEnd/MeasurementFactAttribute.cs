namespace Platform.NodeAgent.Tests.Remediation.EndToEnd;

/// <summary>
/// A measurement, not a test: runs only when <c>RAYGPU_REMEDIATION_RUNS</c> is set (bench/remediation-latency.sh
/// sets it), so the suite never depends on how fast this machine is.
/// </summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public const string RunsVariable = "RAYGPU_REMEDIATION_RUNS";

    public MeasurementFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RunsVariable)))
        {
            Skip = $"A measurement: set {RunsVariable} (bench/remediation-latency.sh does).";
        }
    }
}
