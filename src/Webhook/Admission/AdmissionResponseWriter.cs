using System.Buffers;
using System.Text.Json;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Admission;

/// <summary>Writes the AdmissionReview v1 response: the request's apiVersion and uid echoed, the patch as
/// base64 with patchType JSONPatch (both or neither), warnings and audit annotations.</summary>
internal static class AdmissionResponseWriter
{
    // Per-thread scratch buffers and writers, reused across requests: only the returned array is allocated.
    [ThreadStatic]
    private static Scratch? scratch;

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
        var buffers = scratch ??= new Scratch();
        var buffer = buffers.Response;
        var writer = buffers.ResponseWriter;
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("apiVersion", apiVersion);
        writer.WriteString("kind", "AdmissionReview");
        writer.WriteStartObject("response");
        writer.WriteString("uid", uid);
        writer.WriteBoolean("allowed", allowed);
        if (patch is { Count: > 0 })
        {
            writer.WriteString("patchType", "JSONPatch");
            buffers.Patch.ResetWrittenCount();
            buffers.PatchWriter.Reset(buffers.Patch);
            JsonPatchSerializer.Write(buffers.PatchWriter, patch);
            buffers.PatchWriter.Flush();
            writer.WriteBase64String("patch", buffers.Patch.WrittenSpan);
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
        writer.Flush();

        return buffer.WrittenSpan.ToArray();
    }

    private sealed class Scratch
    {
        public ArrayBufferWriter<byte> Response { get; } = new(4096);

        public Utf8JsonWriter ResponseWriter { get; } = new(new ArrayBufferWriter<byte>(1));

        public ArrayBufferWriter<byte> Patch { get; } = new(2048);

        public Utf8JsonWriter PatchWriter { get; } = new(new ArrayBufferWriter<byte>(1));
    }
}
