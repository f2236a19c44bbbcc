namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>Prepare's answer for one claim: its devices, or the reason it failed (the kubelet retries those).</summary>
internal sealed record ClaimOutcome(IReadOnlyList<PreparedDevice> Devices, string? Error)
{
    public static ClaimOutcome Failed(string error) => new([], error);
}
