using System.Text.Json.Nodes;

namespace Platform.Sandbox.Webhook;

/// <summary>The webhook's answer to one pod or Ray resource: allowed or denied, the operations it sent, the object after them (<c>Pod</c>), its warnings and audit annotations.</summary>
internal sealed record AdmissionResult(
    bool Allowed,
    string? DenialMessage,
    IReadOnlyList<JsonObject> Operations,
    JsonObject Pod,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, string> AuditAnnotations);
