namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>
/// What Prepare did for one claim, recorded under the plugin directory: the devices returned to the kubelet
/// and the one CDI spec file written for the claim, so that a retried Prepare answers the same and
/// Unprepare removes exactly that file.
/// </summary>
internal sealed record PreparedClaim(ClaimRef Claim, IReadOnlyList<PreparedDevice> Devices, string CdiSpecFile, DateTimeOffset PreparedAt);
