using System.Text.Json.Nodes;

namespace Platform.Webhook.Manifests;

/// <summary>One document of a (possibly multi-document) manifest file.</summary>
/// <param name="Source">File name, or <c>&lt;stdin&gt;</c>.</param>
/// <param name="Index">0-based position of the document in its source.</param>
/// <param name="Line">1-based line where the document starts.</param>
/// <param name="Content">The document as JSON; null for an empty document.</param>
internal sealed record ManifestDocument(string Source, int Index, long Line, JsonNode? Content);
