namespace Platform.Webhook.Admission;

internal enum OnErrorAction
{
    /// <summary>Allow the pod unchanged, with a warning (the default, like failurePolicy Ignore).</summary>
    Allow,

    /// <summary>Deny the pod with the error as the message.</summary>
    Deny,
}

/// <summary>Options of the <c>Admission</c> configuration section.</summary>
internal sealed class AdmissionOptions
{
    public const string SectionName = "Admission";

    /// <summary>What to answer when the webhook itself fails on a pod: <c>allow</c> (default) or <c>deny</c>.</summary>
    public OnErrorAction OnError { get; set; } = OnErrorAction.Allow;
}
