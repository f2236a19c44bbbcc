using System.Text.Encodings.Web;
using System.Text.Json;

namespace Platform.Webhook.Cli;

/// <summary>
/// JSON for people and scripts reading a terminal: quotes, '+', '&lt;' and non-ASCII text stay as written instead
/// of \u0022-style escapes (the output is never embedded in HTML).
/// </summary>
internal static class ReadableJson
{
    public static JsonSerializerOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
