using System.Text.Json.Nodes;

namespace Platform.Sandbox.Webhook;

/// <summary>The webhook's answer to one pod: allowed or denied, the operations it sent, the pod after them, its warnings and audit annotations.</summary>
internal sealed record AdmissionResult(
    bool Allowed,
    string? DenialMessage,
    IReadOnlyList<JsonObject> Operations,
    JsonObject Pod,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, string> AuditAnnotations);
