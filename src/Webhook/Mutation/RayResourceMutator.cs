using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>The custom-resource caller of <see cref="TemplateMutator"/>: a RayCluster, RayJob or RayService holds
/// a pod template per group, and the Ray autoscaler and Kueue read those, never the pods. Each group template
/// goes through the one core with the group's Ray role, the cluster's name (the RayJob's or RayService's own
/// name for the cluster it embeds: KubeRay adds a random suffix the webhook cannot know) and the namespace; the
/// group's own <c>rayStartParams</c>/<c>resources</c> follow (<see cref="RayGroupParamsMutation"/>).
/// <para>KubeRay recreates the pods of a group whose template hash changes (tolerations and schedulingGates are
/// left out of that hash), so on UPDATE a group whose template is as before is left alone unless
/// <c>customResources.updateExisting</c> is set, and tenancy refuses an UPDATE only when it changes the profile a
/// group selects to one the namespace may not use.</para>
/// Pure and synchronous, like the core.</summary>
internal static class RayResourceMutator
{
    /// <param name="kind">RayCluster, RayJob or RayService (the request's kind).</param>
    /// <param name="resource">The object as the client sent it.</param>
    /// <param name="oldResource">On UPDATE the object as stored; undefined on CREATE.</param>
    /// <param name="resourceNamespace">The namespace of the object.</param>
    /// <param name="policy">The policy in force.</param>
    /// <param name="keepMutated">Return the patched resource in <see cref="RayResourceResult.Mutated"/>.</param>
    /// <param name="cancellationToken">Ends the work when the caller has gone.</param>
    public static RayResourceResult Mutate(
        string kind,
        JsonElement resource,
        JsonElement oldResource,
        string? resourceNamespace,
        GpuPolicy policy,
        bool keepMutated,
        CancellationToken cancellationToken)
    {
        var cluster = ClusterName(resource);
        var groups = RayGroupReader.Read(kind, resource, out var problem);
        if (problem is not null)
        {
            // The API server's schema check is the judge of a malformed resource; the webhook leaves it be.
            return Finish(MutationDecision.Unchanged, kind, cluster, [], [], [Truncate($"raygpu webhook: left {kind} untouched: {problem}")], null, null);
        }

        var isUpdate = oldResource.ValueKind == JsonValueKind.Object;
        var old = RayGroupReader.ReadOld(kind, oldResource);
        var outcomes = new List<RayGroupOutcome>(groups.Count);
        var patch = new List<JsonPatchOperation>();
        var warnings = new List<string>();
        string? denied = null;
        string? failed = null;
        foreach (var group in groups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var oldGroup = old.TryGetValue(group.Key, out var found) ? found : (RayGroup?)null;
            if (oldGroup is { } previous && !policy.CustomResources.UpdateExisting && JsonElement.DeepEquals(previous.Template, group.Template))
            {
                outcomes.Add(new RayGroupOutcome(group.Name, group.IsHead, group.Location, null));
                continue;
            }

            var rayPod = new RayPod(group.IsHead ? RayPodKind.Head : RayPodKind.Worker, cluster ?? string.Empty, group.Name);
            var location = group.Location + "/template";
            var result = TemplateMutator.MutateGroupTemplate(group.Template, location, rayPod, resourceNamespace, policy, cancellationToken);
            outcomes.Add(new RayGroupOutcome(group.Name, group.IsHead, group.Location, result));
            var groupWarnings = new List<string>(result.Warnings);
            switch (result.Decision)
            {
                case MutationDecision.Denied when isUpdate && oldGroup is { } before && RequestedProfile(before.Template) == RequestedProfile(group.Template):
                    // DECISIONS 2: the group selects the profile it selected before; only a change is refused.
                    groupWarnings.Add($"left as it is: {result.Message}");
                    break;
                case MutationDecision.Denied:
                    denied ??= $"{Describe(group)}: {result.Message}";
                    break;
                case MutationDecision.Failed:
                    failed ??= $"{Describe(group)}: {result.Message}";
                    break;
                case MutationDecision.Patched:
                    patch.AddRange(result.Patch);
                    if (result.Profile is { } profile && RequestedProfile(group.Template) is null)
                    {
                        // DECISIONS 1: the pods of a RayJob/RayService cluster carry a generated cluster name no rule
                        // can match, so the choice travels with the template.
                        patch.Add(new JsonPatchOperation(
                            JsonPatchOperation.AddOp,
                            JsonPointer.Append(location + "/metadata/annotations", PolicyAnnotations.Profile),
                            JsonValue.Create(profile)));
                    }

                    break;
            }

            if (result.Decision is MutationDecision.Patched or MutationDecision.Unchanged)
            {
                var before = ContainerGpus.Read(RayContainer(JsonObject.Create(group.Template)!), policy, out _);
                var after = result.MutatedPod is { } mutated ? ContainerGpus.Read(RayContainer(mutated), policy, out _) : before;
                if (after is > 0 and var gpus)
                {
                    RayGroupParamsMutation.Apply(group, gpus, before != after, policy, patch, groupWarnings);
                }
                else if (group.IsHead && policy.Head.HideGpus)
                {
                    HideGpusFromAutoscaler(kind, resource, policy, patch, groupWarnings);
                }
            }

            warnings.AddRange(groupWarnings.Select(w => Truncate($"{Describe(group)}: {w}")));
        }

        if (denied is not null)
        {
            return Finish(MutationDecision.Denied, kind, cluster, outcomes, [], warnings, denied, null);
        }

        if (failed is not null)
        {
            return Finish(MutationDecision.Failed, kind, cluster, outcomes, [], warnings, failed, null);
        }

        if (patch.Count == 0)
        {
            return Finish(MutationDecision.Unchanged, kind, cluster, outcomes, [], warnings, null, keepMutated ? JsonObject.Create(resource) : null);
        }

        // Each template's patch was proven by the core; the whole patch is applied once more to the resource, so
        // the group fields and annotations added here are known to apply too.
        var proof = JsonObject.Create(resource)!;
        try
        {
            JsonPatchApplier.Apply(proof, patch);
        }
        catch (JsonPatchException e)
        {
            return Finish(MutationDecision.Failed, kind, cluster, outcomes, [], warnings, $"the patch does not apply: {e.Message}", null);
        }

        return Finish(MutationDecision.Patched, kind, cluster, outcomes, patch, warnings, null, keepMutated ? proof : null);
    }

    /// <summary>KubeRay adds the <c>autoscaler</c> sidecar to the head pod only, so the head template cannot carry
    /// its <c>NVIDIA_VISIBLE_DEVICES=void</c>; KubeRay appends <c>autoscalerOptions.env</c> to that sidecar's env,
    /// so the variable goes there and the pod built from the cluster needs nothing at pod level. Whether the sidecar
    /// needs it is the head rule's answer for the container KubeRay would build from the options.</summary>
    private static void HideGpusFromAutoscaler(string kind, JsonElement resource, GpuPolicy policy, List<JsonPatchOperation> patch, List<string> warnings)
    {
        var specPointer = RayResourceKind.ClusterSpecPointer(kind)!;
        var spec = resource;
        foreach (var segment in JsonPointer.Parse(specPointer))
        {
            spec = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty(segment, out var child) ? child : default;
        }

        if (spec.ValueKind != JsonValueKind.Object
            || !spec.TryGetProperty("enableInTreeAutoscaling", out var enabled) || enabled.ValueKind != JsonValueKind.True)
        {
            return;
        }

        var options = spec.TryGetProperty("autoscalerOptions", out var found) && found.ValueKind == JsonValueKind.Object ? JsonObject.Create(found) : null;
        var sidecar = new JsonObject
        {
            ["name"] = Manifests.KubeRay.KubeRayConventions.AutoscalerContainer,
            ["env"] = options?["env"]?.DeepClone(),
            ["resources"] = options?["resources"]?.DeepClone(),
        };
        if (!HeadMutation.NeedsHiddenGpus(sidecar, policy))
        {
            return;
        }

        // Absent or null members are added whole; "add" on a null member replaces it (RFC 6902 4.1).
        var optionsPointer = specPointer + "/autoscalerOptions";
        var variable = HeadMutation.HiddenGpusEnv();
        var operation = options is null
            ? new JsonPatchOperation(JsonPatchOperation.AddOp, optionsPointer, new JsonObject { ["env"] = new JsonArray(variable) })
            : options["env"] is JsonArray
                ? new JsonPatchOperation(JsonPatchOperation.AddOp, optionsPointer + "/env/-", variable)
                : new JsonPatchOperation(JsonPatchOperation.AddOp, optionsPointer + "/env", new JsonArray(variable));
        patch.Add(operation);
        warnings.Add(HeadMutation.HiddenGpusWarning("autoscaler (autoscalerOptions.env)"));
    }

    private static string Describe(RayGroup group) => group.IsHead ? "head group" : $"group {group.Name}";

    private static JsonObject RayContainer(JsonObject template) =>
        (JsonObject)JsonRead.Array(template["spec"], "containers")![0]!;

    private static string? RequestedProfile(JsonElement template) =>
        template.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
        && annotations.TryGetProperty(PolicyAnnotations.Profile, out var profile) && profile.ValueKind == JsonValueKind.String
            ? profile.GetString()
            : null;

    private static string? ClusterName(JsonElement resource)
    {
        if (resource.ValueKind != JsonValueKind.Object || !resource.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var field in (ReadOnlySpan<string>)["name", "generateName"])
        {
            if (metadata.TryGetProperty(field, out var name) && name.ValueKind == JsonValueKind.String && name.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }

    private static string Truncate(string message) =>
        message.Length <= MutationContext.MaxWarningLength ? message : string.Concat(message.AsSpan(0, MutationContext.MaxWarningLength - 1), "…");

    private static RayResourceResult Finish(
        MutationDecision decision,
        string kind,
        string? cluster,
        IReadOnlyList<RayGroupOutcome> groups,
        IReadOnlyList<JsonPatchOperation> patch,
        IReadOnlyList<string> warnings,
        string? message,
        JsonObject? mutated)
    {
        var audit = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["decision"] = decision switch
            {
                MutationDecision.Unchanged => "unchanged",
                MutationDecision.Patched => "patched",
                MutationDecision.Denied => "denied",
                _ => "failed",
            },
        };
        if (groups.Count > 0)
        {
            // name=decision/profile per group; "kept" for a group an UPDATE left as it was.
            audit["groups"] = string.Join(",", groups.Select(g =>
                $"{g.Name}={(g.Template is { } t ? t.AuditAnnotations.GetValueOrDefault("decision", "unchanged") + "/" + (t.Profile ?? PolicyAnnotations.DefaultPolicyValue) : "kept")}"));
        }

        return new RayResourceResult(decision, kind, cluster, groups, patch, warnings, audit, message, mutated);
    }
}
