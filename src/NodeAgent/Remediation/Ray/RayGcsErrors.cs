using Grpc.Core;

namespace Platform.NodeAgent.Remediation.Ray;

/// <summary>How a failed GCS call reads to remediation: unreachable, token auth on, or another error.</summary>
internal static class RayGcsErrors
{
    /// <summary>Status details come from the peer; an Event message and a log line carry at most this much.</summary>
    public const int MaxMessageLength = 300;

    public static (RayGcsFailure Failure, string Message) Classify(StatusCode code, string? detail)
    {
        var text = Bound($"{code}: {detail}");
        return code switch
        {
            // Grpc.Net.Client reports refused connections, DNS failures and resets as Unavailable.
            StatusCode.Unavailable or StatusCode.DeadlineExceeded => (RayGcsFailure.Unreachable, text),
            StatusCode.Unauthenticated => (RayGcsFailure.TokenAuthRequired, text),
            // Ray 2.52 added RAY_AUTH_MODE=token; a GCS that refuses a call without the token under another
            // code still names the token, and must not read as a generic error (it needs a different fix).
            _ when MentionsTokenAuth(detail) => (RayGcsFailure.TokenAuthRequired, text),
            StatusCode.Unimplemented => (RayGcsFailure.Error, Bound($"{text} (a Ray older than the autoscaler v2 API, or not a Ray GCS)")),
            _ => (RayGcsFailure.Error, text),
        };
    }

    public static string Bound(string text) =>
        text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength - 1), "…");

    private static bool MentionsTokenAuth(string? detail) =>
        detail is not null
        && detail.Contains("token", StringComparison.OrdinalIgnoreCase)
        && detail.Contains("auth", StringComparison.OrdinalIgnoreCase);
}
