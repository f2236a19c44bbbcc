using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>The one mutation core: a pod template (its <c>metadata</c> and <c>spec</c>) found anywhere in a
/// document, the Ray role and namespace it belongs to, and the policy, in; the decision, RFC 6902 operations
/// addressed to where the template lies, warnings and audit annotations, out. A pod is the template at the
/// root (<see cref="PodMutator"/>); a Ray custom resource holds several, e.g. at
/// <c>/spec/workerGroupSpecs/0/template</c>. Synchronous and pure; the same input gives the same output, and
/// running it on its own output yields no operations.</summary>
internal static class TemplateMutator
{
    private static readonly string[] Annotations = ["metadata", "annotations"];

    /// <param name="template">The template as the client sent it; never changed (the work happens on lazy views
    /// of it, so only the parts the rules touch are ever materialized).</param>
    /// <param name="location">JSON pointer of the template in its document; "" for a pod.</param>
    /// <param name="rayPod">The Ray role, cluster and group of the pods the template makes.</param>
    /// <param name="podNamespace">The namespace of the object, for rules and profile tenancy.</param>
    /// <param name="policy">The policy in force.</param>
    /// <param name="keepMutated">Return the patched template in <see cref="MutationResult.MutatedPod"/> (the
    /// offline preview); the admission answer does not need it.</param>
    /// <param name="cancellationToken">Ends the work when the caller has gone.</param>
    public static MutationResult Mutate(
        JsonElement template,
        string location,
        RayPod rayPod,
        string? podNamespace,
        GpuPolicy policy,
        bool keepMutated,
        CancellationToken cancellationToken)
    {
        if (template.ValueKind != JsonValueKind.Object)
        {
            return Result(MutationDecision.Failed, rayPod, null, null, [], [], $"cannot mutate this pod: {location} is a {template.ValueKind}, not a pod template");
        }

        return Mutate(JsonObject.Create(template)!, template, location, rayPod, podNamespace, policy, keepMutated, cancellationToken);
    }

    /// <summary>A group template of a Ray custom resource (<see cref="RayResourceMutator"/>): the same rules, except
    /// that KubeRay has yet to write the <c>ray start</c> line, and writes <c>--num-gpus</c> from the limit (or
    /// <c>rayStartParams</c>) itself. The patched template is always returned.</summary>
    internal static MutationResult MutateGroupTemplate(JsonElement template, string location, RayPod rayPod, string? podNamespace, GpuPolicy policy, CancellationToken cancellationToken) =>
        template.ValueKind == JsonValueKind.Object
            ? Mutate(JsonObject.Create(template)!, template, location, rayPod, podNamespace, policy, keepMutated: true, cancellationToken, kubeRayWritesRayStart: true)
            : Mutate(template, location, rayPod, podNamespace, policy, keepMutated: true, cancellationToken);

    /// <summary>As above, with the working view already made (the pod caller classified the pod on it).
    /// <paramref name="kubeRayWritesRayStart"/>: a group template, whose <c>ray start</c> line KubeRay writes later.</summary>
    internal static MutationResult Mutate(
        JsonObject working,
        JsonElement template,
        string location,
        RayPod rayPod,
        string? podNamespace,
        GpuPolicy policy,
        bool keepMutated,
        CancellationToken cancellationToken,
        bool kubeRayWritesRayStart = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (rayPod.Kind == RayPodKind.NotRay)
        {
            return Result(MutationDecision.Unchanged, rayPod, null, null, [], [], null);
        }

        var requested = JsonRead.String(JsonRead.Object(working["metadata"], "annotations"), PolicyAnnotations.Profile);
        GpuProfile? profile = null;
        if (requested is not null)
        {
            if (!policy.Profiles.TryGetValue(requested, out profile))
            {
                var message = $"{PolicyAnnotations.Profile}: unknown GPU profile \"{requested}\"; {PolicyReader.KnownProfiles(policy.Profiles.Keys)}";
                return Result(MutationDecision.Denied, rayPod, null, null, [], [], message);
            }

            if (!profile.AllowsNamespace(podNamespace))
            {
                var message = $"{PolicyAnnotations.Profile}: GPU profile \"{requested}\" may be selected only in namespaces {string.Join(", ", profile.Namespaces!)}; this pod is in \"{podNamespace}\"";
                return Result(MutationDecision.Denied, rayPod, null, null, [], [], message);
            }
        }
        else if (rayPod.Kind == RayPodKind.Worker)
        {
            var rule = policy.Rules.FirstOrDefault(r => r.Matches(podNamespace, rayPod.Cluster, rayPod.Group));
            profile = rule is null ? null : policy.Profiles[rule.Profile];
        }

        var context = new MutationContext(working, template, rayPod, policy, profile, cancellationToken) { KubeRayWritesRayStart = kubeRayWritesRayStart };
        try
        {
            GpuLimitMutation.Apply(context);
            RayStartMutation.Apply(context);
            // A worker a rule gives a profile but whose GPUs come from DRA claims (no limit added, see GpuLimitMutation)
            // still has to reach the tainted GPU nodes its claims are served on.
            if (ContainerGpus.Has(context.RayContainer, policy) || (profile is not null && rayPod.Kind == RayPodKind.Worker && DraClaims.Uses(context)))
            {
                SchedulingMutation.ApplyGpuPod(context);
            }
            else if (rayPod.Kind == RayPodKind.Head)
            {
                HeadMutation.Apply(context);
            }

            if (context.Patch.Operations.Count == 0)
            {
                return Result(MutationDecision.Unchanged, rayPod, profile?.Name, null, [], context.Warnings, null);
            }

            context.Patch.Set(Annotations, PolicyAnnotations.Policy, JsonValue.Create(profile?.Name ?? PolicyAnnotations.DefaultPolicyValue));
            return Prove(location, context, keepMutated);
        }
        catch (MutationException e)
        {
            return Result(MutationDecision.Failed, rayPod, profile?.Name, null, [], context.Warnings, $"cannot mutate this pod: {e.Message}");
        }
    }

    /// <summary>Checks what the patch introduces (<see cref="PatchProof"/>) on the template as it will be once
    /// patched, so a patch the API server would refuse is never sent. What the user wrote is the API server's to
    /// judge, not the webhook's. The working view is that template: each operation was recorded from the edit the
    /// builder made to it, on the template as the client sent it (the table and property tests apply every patch
    /// with an independent RFC 6902 implementation and compare). Checking it, rather than applying the patch again
    /// to a second view, saves a third of the core's allocations.</summary>
    private static MutationResult Prove(string location, MutationContext context, bool keepMutated)
    {
        var patch = context.Patch.Operations;
        var patched = context.Template;
        var problem = PatchProof.Check(patched, patch, context.CancellationToken);
        var profile = context.Profile?.Name;
        return problem is null
            ? Result(MutationDecision.Patched, context.RayPod, profile, context.Changes, At(location, patch), context.Warnings, null, keepMutated ? patched : null)
            : Result(MutationDecision.Failed, context.RayPod, profile, context.Changes, [], context.Warnings, problem);
    }

    /// <summary>The operations addressed to the template's place in its document.</summary>
    private static IReadOnlyList<JsonPatchOperation> At(string location, IReadOnlyList<JsonPatchOperation> patch)
    {
        if (location.Length == 0)
        {
            return patch;
        }

        var located = new JsonPatchOperation[patch.Count];
        for (var i = 0; i < patch.Count; i++)
        {
            located[i] = patch[i] with { Path = location + patch[i].Path };
        }

        return located;
    }

    private static MutationResult Result(
        MutationDecision decision,
        RayPod rayPod,
        string? profile,
        IReadOnlyCollection<string>? changes,
        IReadOnlyList<JsonPatchOperation> patch,
        IReadOnlyList<string> warnings,
        string? message,
        JsonObject? mutated = null)
    {
        var audit = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rayPod.Kind != RayPodKind.NotRay)
        {
            audit["decision"] = decision switch
            {
                MutationDecision.Unchanged => "unchanged",
                MutationDecision.Patched => "patched",
                MutationDecision.Denied => "denied",
                _ => "failed",
            };
            audit["profile"] = profile ?? PolicyAnnotations.DefaultPolicyValue;
            if (changes is { Count: > 0 })
            {
                audit["changes"] = string.Join(",", changes);
            }
        }

        return new MutationResult(
            decision,
            rayPod.Kind,
            rayPod.Kind == RayPodKind.NotRay ? null : rayPod.Cluster,
            rayPod.Group,
            profile,
            patch,
            warnings,
            audit,
            message,
            mutated);
    }
}
