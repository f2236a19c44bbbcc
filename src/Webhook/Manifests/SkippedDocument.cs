namespace Platform.Webhook.Manifests;

/// <summary>A document that yields no pod, with the reason (reported, not an error).</summary>
internal sealed record SkippedDocument(string Source, long Line, string Description, string Reason);
