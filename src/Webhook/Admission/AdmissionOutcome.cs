using Platform.Webhook.Mutation;

namespace Platform.Webhook.Admission;

/// <summary>The serialized AdmissionReview response and what the HTTP edge needs for metrics and logs.</summary>
/// <param name="Decision">allowed, patched, denied or error.</param>
/// <param name="PodKind">head, worker or other; for a Ray custom resource its kind in lower case (raycluster, rayjob, rayservice).</param>
internal sealed record AdmissionOutcome(byte[] ResponseBody, string Uid, string Decision, string PodKind, MutationResult? Mutation)
{
    public const string Allowed = "allowed";
    public const string Patched = "patched";
    public const string Denied = "denied";
    public const string Error = "error";
}

/// <summary>The request is not an AdmissionReview we can answer (the edge returns HTTP 400 with the message).</summary>
internal sealed class BadAdmissionRequestException(string message) : Exception(message);
