using System.Text.RegularExpressions;

namespace Platform.NodeAgent.Remediation;

/// <summary>
/// The condition's message: it names the GPU, the node and the fault, and a restarted agent reads the GPU's
/// UUID back from it (the condition is the only state that survives a restart).
/// </summary>
internal static partial class RemediationMessages
{
    public static string Fault(string gpuUuid, string nodeName, string reason, string detail) =>
        $"GPU {gpuUuid} on node {nodeName}: {reason} ({detail}).";

    public static string? GpuOf(string? message) =>
        message is not null && Leading().Match(message) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>What Ray is told: the GPU and the fault, shown by <c>ray status</c> on the draining node.</summary>
    public static string DrainReason(string gpuUuid, string reason) => $"raygpu: GPU {gpuUuid} failed ({reason})";

    [GeneratedRegex("^GPU (\\S+) on node ")]
    private static partial Regex Leading();
}
