using System.Buffers;
using System.Text.Json;

namespace Platform.Webhook.Admission;

/// <summary>
/// The answer of last resort when the admission handler breaks its promise never to throw:
/// the apiserver still gets an AdmissionReview with its uid (controller-runtime answers panics
/// the same way), allowed or denied per <c>Admission:OnError</c>. Deliberately independent of the
/// handler's DTOs, so a fault there cannot break this path too.
/// </summary>
internal static class AdmissionFallback
{
    /// <summary>Finds <c>request.uid</c> in an AdmissionReview without materialising it; null if absent or not JSON.</summary>
    public static string? FindUid(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRequest = reader.ValueTextEquals("request"u8);
                reader.Read();
                if (isRequest && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isUid = reader.ValueTextEquals("uid"u8);
                        reader.Read();
                        if (isUid)
                        {
                            return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        }

                        reader.Skip();
                    }

                    return null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: there is no uid to echo.
        }

        return null;
    }

    /// <summary>An AdmissionReview v1 response with only uid, allowed, and a warning or a status message.</summary>
    public static byte[] Response(string uid, bool allowed, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion"u8, "admission.k8s.io/v1"u8);
            json.WriteString("kind"u8, "AdmissionReview"u8);
            json.WriteStartObject("response"u8);
            json.WriteString("uid"u8, uid);
            json.WriteBoolean("allowed"u8, allowed);
            if (allowed)
            {
                json.WriteStartArray("warnings"u8);
                json.WriteStringValue(message);
                json.WriteEndArray();
            }
            else
            {
                json.WriteStartObject("status"u8);
                json.WriteNumber("code"u8, 500);
                json.WriteString("message"u8, message);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
