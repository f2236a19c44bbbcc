using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>The pure core of the webhook: from a raw Pod and the policy to an explicit RFC 6902 patch, proven
/// to apply and to yield a valid pod before it is returned. Synchronous, no I/O, the same input gives the
/// same output, and running it on its own output yields no operations.</summary>
internal static class PodMutator
{
    private static readonly string[] Annotations = ["metadata", "annotations"];

    /// <param name="pod">The pod as the API server sent it; left as it is unless <paramref name="podIsOwned"/>.</param>
    /// <param name="podNamespace">The request's namespace, for the rules.</param>
    /// <param name="policy">The policy in force.</param>
    /// <param name="podIsOwned">The caller hands the pod over and will not read it again (the admission handler,
    /// whose sparse pod lives for one request): the patch is then proven on the pod itself instead of on a copy,
    /// and <see cref="MutationResult.MutatedPod"/> is that pod.</param>
    public static MutationResult Mutate(JsonObject pod, string? podNamespace, GpuPolicy policy, bool podIsOwned = false)
    {
        var rayPod = RayPodClassifier.Classify(pod);
        if (rayPod.Kind == RayPodKind.NotRay)
        {
            return Result(MutationDecision.Unchanged, rayPod, null, null, [], [], null);
        }

        var requested = JsonRead.String(JsonRead.Object(pod["metadata"], "annotations"), PolicyAnnotations.Profile);
        GpuProfile? profile = null;
        if (requested is not null && !policy.Profiles.TryGetValue(requested, out profile))
        {
            var message = $"{PolicyAnnotations.Profile}: unknown GPU profile \"{requested}\"; {PolicyReader.KnownProfiles(policy.Profiles.Keys)}";
            return Result(MutationDecision.Denied, rayPod, null, null, [], [], message);
        }

        if (requested is null && rayPod.Kind == RayPodKind.Worker)
        {
            var rule = policy.Rules.FirstOrDefault(r => r.Matches(podNamespace, rayPod.Cluster, rayPod.Group));
            profile = rule is null ? null : policy.Profiles[rule.Profile];
        }

        var context = new MutationContext(pod.DeepClone().AsObject(), rayPod, policy, profile);
        try
        {
            GpuLimitMutation.Apply(context);
            if (GpuQuantity.LimitOf(context.RayContainer, policy.GpuResourceName) > 0)
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
            return Verify(pod, context, podIsOwned);
        }
        catch (MutationException e)
        {
            return Result(MutationDecision.Failed, rayPod, profile?.Name, null, [], context.Warnings, $"cannot mutate this pod: {e.Message}");
        }
    }

    /// <summary>Applies the patch to a fresh copy of the incoming pod with the strict applier, and checks the
    /// result, so a patch the API server would refuse is never sent. The admission handler passes the sparse
    /// pod (<see cref="Admission.SparsePodReader"/>): every section a patch can touch (a container's resources,
    /// env, args or command, tolerations, nodeSelector, affinity, annotations, labels) is kept whole there, so
    /// the check sees each touched section complete, exactly as on the full pod.</summary>
    private static MutationResult Verify(JsonObject original, MutationContext context, bool originalIsOwned)
    {
        var patch = context.Patch.Operations;
        var applied = originalIsOwned ? original : original.DeepClone();
        string? problem;
        try
        {
            JsonPatchApplier.Apply(applied, patch);
            problem = PodChecker.Check(applied.AsObject(), patch);
        }
        catch (JsonPatchException e)
        {
            problem = $"the patch does not apply: {e.Message}";
        }

        var profile = context.Profile?.Name;
        return problem is null
            ? Result(MutationDecision.Patched, context.RayPod, profile, context.Changes, patch, context.Warnings, null, applied.AsObject())
            : Result(MutationDecision.Failed, context.RayPod, profile, context.Changes, [], context.Warnings, problem);
    }

    /// <summary>The result of a mutation, with its audit annotations; also what <see cref="Admission.SparseWorkerMutation"/>
    /// answers with.</summary>
    internal static MutationResult Result(
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
