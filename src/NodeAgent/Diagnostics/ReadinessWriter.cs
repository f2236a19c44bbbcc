using System.Text;
using System.Text.Json;

namespace Platform.NodeAgent.Diagnostics;

/// <summary>Renders <c>/readyz</c> as JSON: overall status and every check with its reason.</summary>
internal static class ReadinessWriter
{
    public static (bool Ready, string Json) Render(IReadOnlyList<ReadinessCheck> checks)
    {
        var ready = ReadinessCheck.AllRequiredPass(checks);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("status", ready ? "ready" : "not-ready");
            writer.WriteStartArray("checks");
            foreach (var check in checks)
            {
                writer.WriteStartObject();
                writer.WriteString("name", check.Name);
                writer.WriteString("status", check.Ok ? "ok" : check.Required ? "failing" : "degraded");
                writer.WriteString("detail", check.Detail);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return (ready, Encoding.UTF8.GetString(stream.ToArray()) + "\n");
    }
}
