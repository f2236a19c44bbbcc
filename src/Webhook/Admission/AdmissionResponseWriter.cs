using System.Buffers;
using System.Text.Json;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Admission;

/// <summary>Writes the AdmissionReview v1 response: the request's apiVersion and uid echoed, the patch as
/// base64 with patchType JSONPatch (both or neither), warnings and audit annotations.</summary>
internal static class AdmissionResponseWriter
{
    public static byte[] Write(
        string apiVersion,
        string uid,
        bool allowed,
        IReadOnlyList<JsonPatchOperation>? patch,
        IReadOnlyList<string> warnings,
        IReadOnlyDictionary<string, string>? auditAnnotations,
        int? statusCode = null,
        string? statusMessage = null)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", apiVersion);
            writer.WriteString("kind", "AdmissionReview");
            writer.WriteStartObject("response");
            writer.WriteString("uid", uid);
            writer.WriteBoolean("allowed", allowed);
            if (patch is { Count: > 0 })
            {
                writer.WriteString("patchType", "JSONPatch");
                writer.WriteBase64String("patch", JsonPatchSerializer.ToUtf8Json(patch));
            }

            if (statusCode is not null || statusMessage is not null)
            {
                writer.WriteStartObject("status");
                if (statusCode is { } code)
                {
                    writer.WriteNumber("code", code);
                }

                if (statusMessage is not null)
                {
                    writer.WriteString("message", statusMessage);
                }

                writer.WriteEndObject();
            }

            if (warnings.Count > 0)
            {
                writer.WriteStartArray("warnings");
                foreach (var warning in warnings)
                {
                    writer.WriteStringValue(warning);
                }

                writer.WriteEndArray();
            }

            if (auditAnnotations is { Count: > 0 })
            {
                writer.WriteStartObject("auditAnnotations");
                foreach (var (key, value) in auditAnnotations)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
