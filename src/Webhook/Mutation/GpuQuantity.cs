using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Mutation;

/// <summary>Reads a GPU count from a resource quantity. GPUs are whole devices, so only whole numbers
/// ("1", 1, "2") are counts; anything else is present but unreadable.</summary>
internal static class GpuQuantity
{
    public static int? Read(JsonObject? resources, string name, out bool present)
    {
        present = false;
        if (resources is null || !resources.TryGetPropertyValue(name, out var node) || node is not JsonValue value)
        {
            return null;
        }

        present = true;
        return value.GetValueKind() switch
        {
            JsonValueKind.Number when value.TryGetValue<int>(out var n) => n,
            JsonValueKind.String when int.TryParse(value.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
    }

    public static JsonNode Format(int count) => JsonValue.Create(count.ToString(CultureInfo.InvariantCulture));
}
