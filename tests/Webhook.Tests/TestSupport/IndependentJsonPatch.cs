using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Tests.TestSupport;

/// <summary>Applies patches with ASP.NET Core's RFC 6902 implementation, not the code under test, so a
/// patch that only our own applier accepts fails the tests.</summary>
internal static class IndependentJsonPatch
{
    public static JsonObject Apply(JsonObject pod, ReadOnlySpan<byte> patchJson)
    {
        var document = JsonSerializer.Deserialize<JsonPatchDocument>(patchJson)
            ?? throw new InvalidOperationException("empty patch");
        var copy = pod.DeepClone().AsObject();
        document.ApplyTo(copy);
        return copy;
    }

    public static JsonObject Apply(JsonObject pod, IReadOnlyList<JsonPatchOperation> patch) =>
        Apply(pod, JsonPatchSerializer.ToUtf8Json(patch));
}
