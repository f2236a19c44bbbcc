using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>Tolerations, node selectors and required node affinity: merged into what the pod already has,
/// never duplicated, and never overriding a value the user chose (that is a warning instead).</summary>
internal static class SchedulingMutation
{
    private static readonly string[] Spec = ["spec"];
    private static readonly string[] Required = ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"];

    /// <summary>What every GPU pod gets: <c>gpuPods</c> and the profile's tolerations, selectors and affinity.</summary>
    public static void ApplyGpuPod(MutationContext context)
    {
        AddTolerations(context, context.Policy.GpuPods.Tolerations);
        MergeNodeSelector(context, context.Policy.GpuPods.NodeSelector, context.Profile?.NodeSelector);
        if (context.Profile is { } profile)
        {
            AddTolerations(context, profile.Tolerations);
            RequireNodeAffinity(context, profile.NodeAffinity);
        }
    }

    public static void AddTolerations(MutationContext context, IReadOnlyList<Toleration> tolerations)
    {
        if (tolerations.Count == 0)
        {
            return;
        }

        // One pass over what the pod has, however many tolerations that is (16,000 is a valid pod).
        var existing = TolerationJson.IdentitiesOf(JsonRead.Array(context.Template["spec"], "tolerations"), context.CancellationToken);
        foreach (var toleration in tolerations)
        {
            if (!existing.Add(toleration.Identity))
            {
                continue;
            }

            context.Patch.Append(Spec, "tolerations", toleration.ToJson());
            context.Changed("tolerations");
            context.Warn($"added toleration {toleration} so the pod can run on tainted GPU nodes");
        }
    }

    private static void MergeNodeSelector(MutationContext context, IReadOnlyDictionary<string, string> first, IReadOnlyDictionary<string, string>? second)
    {
        // The profile is more specific than gpuPods: its value wins for a key both name.
        var wanted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in new[] { first, second })
        {
            foreach (var (key, value) in source ?? new Dictionary<string, string>())
            {
                wanted[key] = value;
            }
        }

        foreach (var (key, value) in wanted)
        {
            var current = JsonRead.String(JsonRead.Object(context.Template["spec"], "nodeSelector"), key);
            if (current == value)
            {
                continue;
            }

            if (current is not null)
            {
                context.Warn($"kept nodeSelector {key}={current}; the policy asks for {value}");
                continue;
            }

            context.Patch.Set([.. Spec, "nodeSelector"], key, JsonValue.Create(value));
            context.Changed("node-selector");
            context.Warn($"added nodeSelector {key}={value}{Source(context)}");
        }
    }

    /// <summary>ANDs each requirement into every required node-selector term (terms are ORed, so adding it
    /// to only one would not constrain the pod). A term that already constrains the same key differently is
    /// left alone with a warning: ANDing both could make the pod unschedulable.</summary>
    public static void RequireNodeAffinity(MutationContext context, IReadOnlyList<NodeSelectorRequirement> requirements)
    {
        if (requirements.Count == 0)
        {
            return;
        }

        var terms = JsonRead.Array(JsonRead.Object(JsonRead.Object(context.Template["spec"], "affinity"), "nodeAffinity")?["requiredDuringSchedulingIgnoredDuringExecution"], "nodeSelectorTerms");
        if (terms is null || terms.Count == 0)
        {
            var expressions = new JsonArray();
            foreach (var requirement in requirements)
            {
                expressions.Add((JsonNode)requirement.ToJson());
            }

            context.Patch.Set(Required, "nodeSelectorTerms", new JsonArray(new JsonObject { ["matchExpressions"] = expressions }));
            context.Changed("node-affinity");
            foreach (var requirement in requirements)
            {
                context.Warn($"required node affinity {requirement}{Source(context)}");
            }

            return;
        }

        for (var t = 0; t < terms.Count; t++)
        {
            string[] termPath = [.. Required, "nodeSelectorTerms", t.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            foreach (var requirement in requirements)
            {
                var expressions = JsonRead.Array(terms[t], "matchExpressions");
                if (expressions is not null && expressions.Any(e => e is JsonObject o && requirement.SameAs(o)))
                {
                    continue;
                }

                if (expressions?.FirstOrDefault(e => e is JsonObject o && JsonRead.String(o, "key") == requirement.Key) is JsonObject clash)
                {
                    context.Warn($"kept node affinity on {requirement.Key} ({JsonRead.String(clash, "operator")}); the policy asks for {requirement}");
                    continue;
                }

                context.Patch.Append(termPath, "matchExpressions", requirement.ToJson());
                context.Changed("node-affinity");
                context.Warn($"required node affinity {requirement} in term {t}{Source(context)}");
            }
        }
    }

    /// <summary>Where a change comes from, for its warning: the profile, or the head policy.</summary>
    private static string Source(MutationContext context) =>
        context.Profile is { } profile ? $" (profile {profile.Name})"
        : context.RayPod.Kind == RayPodKind.Head ? " (the Ray head stays off GPU nodes)"
        : string.Empty;
}
