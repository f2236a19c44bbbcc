using System.Globalization;

namespace Platform.NodeAgent.Health;

/// <summary>The reason words of <see cref="HealthTransition"/>; also the <c>reason</c> label of the transition metric.</summary>
internal static class HealthReasons
{
    public const string DoubleBitEcc = "double-bit-ecc";
    public const string GpuLost = "gpu-lost";
    public const string PendingPageRetirement = "pending-page-retirement";
    public const string RowRemapFailure = "row-remap-failure";
    public const string OverTemperature = "over-temperature";
    public const string ProbeFailed = "probe-failed";
    public const string HealthCheckUnavailable = "health-check-unavailable";
    public const string RecoveredAfterReset = "recovered-after-reset";
    public const string RecoveredAfterQuietPeriod = "recovered-after-quiet-period";

    public static string Xid(ulong xid) => string.Create(CultureInfo.InvariantCulture, $"xid-{xid}");
}
