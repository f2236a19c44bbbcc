using System.Text.Json;

namespace Platform.Webhook.Mutation;

/// <summary>One group of a Ray cluster spec: the head group or a worker group, with the JSON pointer of its
/// group spec in the resource. <see cref="Template"/> is an object with at least one container.</summary>
internal readonly record struct RayGroup(bool IsHead, string Name, string Location, JsonElement Spec, JsonElement Template)
{
    /// <summary>Head and worker groups live apart: a worker group may be called "headgroup".</summary>
    public (bool IsHead, string Name) Key => (IsHead, Name);
}
