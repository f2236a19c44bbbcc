using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>Lenient reads of manifest values.</summary>
internal static class JsonText
{
    public static bool IsTrue(JsonNode? node) => string.Equals(RayStartCommandBuilder.ScalarText(node), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
