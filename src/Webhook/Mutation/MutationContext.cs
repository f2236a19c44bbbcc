using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>The state one mutation shares between its steps: the policy, the pod template being edited through
/// the patch builder, the warnings for the user and the names of the changes for the audit log.</summary>
internal sealed class MutationContext(JsonObject template, JsonElement original, RayPod rayPod, GpuPolicy policy, GpuProfile? profile, CancellationToken cancellationToken)
{
    /// <summary>Kubernetes refuses longer warnings (and truncates in kubectl); keep each under 120 chars.</summary>
    public const int MaxWarningLength = 119;

    private readonly List<string> warnings = [];
    private readonly SortedSet<string> changes = new(StringComparer.Ordinal);

    public JsonPatchBuilder Patch { get; } = new(template);

    /// <summary>The template (<c>metadata</c> and <c>spec</c>) as it will be after the operations so far.</summary>
    public JsonObject Template => Patch.Document;

    /// <summary>The template as the client sent it. A step may read from it what no earlier step changes (the
    /// Ray container's args and env): reading the element materializes nothing, where every node of the working
    /// view that is read becomes a dictionary of its members.</summary>
    public JsonElement Original => original;

    /// <summary>The Ray container as the client sent it, or an undefined element.</summary>
    public JsonElement OriginalRayContainer =>
        original.ValueKind == JsonValueKind.Object && original.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("containers", out var containers) && containers.ValueKind == JsonValueKind.Array && containers.GetArrayLength() > 0
            ? containers[0]
            : default;

    public RayPod RayPod => rayPod;

    /// <summary>The template is a group template of a Ray custom resource: KubeRay has yet to write the
    /// <c>ray start</c> line, and writes <c>--num-gpus</c> from the limit (or <c>rayStartParams</c>) itself.</summary>
    public bool KubeRayWritesRayStart { get; init; }

    public GpuPolicy Policy => policy;

    public GpuProfile? Profile => profile;

    /// <summary>The request's: ends the work when the API server has given up on the answer.</summary>
    public CancellationToken CancellationToken => cancellationToken;

    public IReadOnlyList<string> Warnings => warnings;

    public IReadOnlyCollection<string> Changes => changes;

    /// <summary>The Ray container: KubeRay always puts it first, whatever its name.</summary>
    public JsonObject RayContainer =>
        JsonRead.Array(Template["spec"], "containers") is [JsonObject first, ..] ? first : throw new MutationException("the pod has no containers");

    /// <summary>The Ray container's name for messages, or its index.</summary>
    public string RayContainerName => JsonRead.String(RayContainer, "name") ?? "0";

    public void Changed(string change) => changes.Add(change);

    public void Warn(string message) =>
        warnings.Add(message.Length <= MaxWarningLength ? message : string.Concat(message.AsSpan(0, MaxWarningLength - 1), "…"));
}
