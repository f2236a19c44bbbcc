namespace Platform.NodeAgent.Remediation;

/// <summary>How far remediation goes, in order: a lower mode does a prefix of what a higher one does.</summary>
internal enum RemediationMode
{
    Off = 0,
    Annotate = 1,
    Drain = 2,
    Evict = 3,
}
