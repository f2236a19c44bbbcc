using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Admission;

/// <summary>The admission most pods get, done on the body itself, without a <see cref="JsonNode"/> of the pod:
/// a pod that is not a Ray pod is left alone, and a KubeRay worker whose GPU count is already what its profile
/// asks (or whose profile sets none) gets its tolerations, node selector and policy annotation. It reads only
/// the values those rules read, where <see cref="SparsePodReader"/> found them, follows
/// <see cref="PodMutator"/>'s rules for them step by step, and proves its patch with
/// <see cref="SparsePatchProof"/> before answering.
/// <para>It gives exactly what <see cref="PodMutator"/> gives on the same pod, or null for anything it does not
/// handle: a head, a GPU count to set (or to keep with a warning), node affinity, an unknown profile, a name
/// written twice or with an escape, a shape the mutation fails on, a patch that does not prove. The handler
/// then takes the general path. <c>SparsePodEquivalenceTests</c> holds the two paths to the same answers.</para></summary>
internal static class SparseWorkerMutation
{
    /// <summary>The annotations the mutation reads, in <see cref="SparseSections.Annotations"/>' values.</summary>
    public static readonly byte[][] AnnotationNames = [System.Text.Encoding.UTF8.GetBytes(PolicyAnnotations.Profile), System.Text.Encoding.UTF8.GetBytes(PolicyAnnotations.Policy)];

    private const int ProfileAnnotation = 0;
    private const int PolicyAnnotation = 1;
    private const string TolerationsPath = "/spec/tolerations";
    private const string NodeSelectorPath = "/spec/nodeSelector";
    private const string AnnotationsPath = "/metadata/annotations";
    private static readonly string PolicyAnnotationPath = JsonPointer.Build(["metadata", "annotations"], PolicyAnnotations.Policy);
    private static readonly string[] TolerationPaths = [.. Enumerable.Range(0, 16).Select(i => $"{TolerationsPath}/{i}")];
    private static readonly string[] NodeSelector = ["spec", "nodeSelector"];
    private static readonly byte[][] Limits = ["limits"u8.ToArray()];

    // The policy's GPU resource name in UTF-8, for the last name seen (it changes only when the policy does).
    private static ResourceName resourceName = new(string.Empty, [[]]);

    // Keyed by the policy's own objects (a toleration; a profile, or gpuPods for no profile), so an entry goes
    // with the policy that held it. A profile's selectors also depend on gpuPods: the entry names the one it
    // was built with.
    private static readonly ConditionalWeakTable<Toleration, AddedToleration> Added = new();
    private static readonly ConditionalWeakTable<object, OwnedSelectors> Selectors = new();

    public static MutationResult? TryMutate(SparsePod pod, ReadOnlySpan<byte> body, string? podNamespace, GpuPolicy policy)
    {
        var rayPod = Classify(pod, body);
        if (rayPod.Kind == RayPodKind.NotRay)
        {
            return PodMutator.Result(MutationDecision.Unchanged, rayPod, null, null, [], [], null);
        }

        if (rayPod.Kind != RayPodKind.Worker || !pod.Spec.IsObjectIn(body) || SparseSections.Read(pod, body) is not { } sections)
        {
            return null;
        }

        // PodMutator: the annotation names the profile, else the first rule that matches.
        GpuProfile? profile = null;
        var annotations = sections.Annotations.Value;
        if (annotations?.Values[ProfileAnnotation].StringIn(body) is { } requested)
        {
            if (!policy.Profiles.TryGetValue(requested, out profile))
            {
                return null;
            }
        }
        else
        {
            var rule = policy.Rules.FirstOrDefault(r => r.Matches(podNamespace, rayPod.Cluster, rayPod.Group));
            profile = rule is null ? null : policy.Profiles[rule.Profile];
        }

        // GpuLimitMutation changes nothing only when the count is already the profile's.
        if (profile is { NodeAffinity.Count: > 0 } || GpuLimit(pod, body, policy.GpuResourceName) is not { } limit
            || (profile?.Gpus is { } wanted && wanted != limit))
        {
            return null;
        }

        var work = new Work();
        if (limit > 0 && !ApplyGpuPod(work, sections, body, policy, profile))
        {
            return null;
        }

        if (work.Patch.Count == 0)
        {
            return PodMutator.Result(MutationDecision.Unchanged, rayPod, profile?.Name, null, [], work.Warnings, null);
        }

        if (!SetPolicyAnnotation(work, sections.Annotations, body, profile?.Name ?? PolicyAnnotations.DefaultPolicyValue)
            || !SparsePatchProof.Holds(work.Patch, sections, body))
        {
            return null;
        }

        return PodMutator.Result(MutationDecision.Patched, rayPod, profile?.Name, work.Changes, work.Patch, work.Warnings, null);
    }

    /// <summary><see cref="RayPodClassifier"/> on the kept labels.</summary>
    private static RayPod Classify(SparsePod pod, ReadOnlySpan<byte> body)
    {
        if (!pod.Metadata.IsObjectIn(body) || !pod.Labels.IsObjectIn(body))
        {
            return RayPod.NotRay;
        }

        var kind = pod.LabelsKept[SparsePodReader.NodeTypeIndex].StringIn(body) switch
        {
            RayLabels.Head => RayPodKind.Head,
            RayLabels.Worker => RayPodKind.Worker,
            _ => RayPodKind.NotRay,
        };
        var cluster = pod.LabelsKept[SparsePodReader.ClusterIndex].StringIn(body);
        return kind == RayPodKind.NotRay || string.IsNullOrEmpty(cluster)
            ? RayPod.NotRay
            : new RayPod(kind, cluster, pod.LabelsKept[SparsePodReader.GroupIndex].StringIn(body));
    }

    /// <summary>The Ray container's GPU limit as <see cref="GpuQuantity.LimitOf"/> reads it, 0 when it has none;
    /// null when the general path must decide (no first container, a value that is not a whole number, a
    /// repeated or escaped name).</summary>
    private static int? GpuLimit(SparsePod pod, ReadOnlySpan<byte> body, string gpuResourceName)
    {
        if (!pod.Containers.IsArrayIn(body) || pod.ContainerCount == 0 || !pod.Container(0)[0].IsObjectIn(body))
        {
            return null;
        }

        if (SlotReader.Object(body, pod.Container(0)[SparsePodReader.ContainerResourcesIndex], Limits) is not { } resources)
        {
            return null;
        }

        var name = resourceName;
        if (name.Name != gpuResourceName)
        {
            resourceName = name = new ResourceName(gpuResourceName, [System.Text.Encoding.UTF8.GetBytes(gpuResourceName)]);
        }

        if (SlotReader.Object(body, resources.Values[0], name.Utf8) is not { } limits)
        {
            return null;
        }

        // Present means a string, number or boolean (JsonValue); null, an object or a list count as no limit.
        var value = limits.Values[0];
        if (!value.Present || value.IsNullIn(body) || value.IsObjectIn(body) || value.IsArrayIn(body))
        {
            return 0;
        }

        if (value.IsStringIn(body))
        {
            return int.TryParse(value.StringIn(body), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
        }

        return Utf8Parser.TryParse(value.In(body), out int number, out var used) && used == value.Length ? number : null;
    }

    /// <summary><see cref="SchedulingMutation.ApplyGpuPod"/> without node affinity (the caller has ruled it out);
    /// false when the general path must decide.</summary>
    private static bool ApplyGpuPod(Work work, SparseSections sections, ReadOnlySpan<byte> body, GpuPolicy policy, GpuProfile? profile)
    {
        // Tolerations that are not a list, and a node selector that is neither an object nor null, fail the
        // general path as soon as it adds to them.
        var (tolerations, selector) = (sections.Tolerations, sections.NodeSelector);
        if ((tolerations.Value is null && !tolerations.Missing) || (selector.Value is null && !selector.Missing))
        {
            return false;
        }

        work.Tolerations.AddRange(tolerations.Value ?? []);
        var hasList = tolerations.Value is not null;
        AddTolerations(work, ref hasList, policy.GpuPods.Tolerations);
        if (!MergeNodeSelector(work, body, selector.Value, policy, profile))
        {
            return false;
        }

        if (profile is not null)
        {
            AddTolerations(work, ref hasList, profile.Tolerations);
        }

        return true;
    }

    /// <summary><see cref="SchedulingMutation.AddTolerations"/>: each one the pod lacks is appended, to a new list
    /// when it has none.</summary>
    private static void AddTolerations(Work work, ref bool hasList, IReadOnlyList<Toleration> tolerations)
    {
        foreach (var toleration in tolerations)
        {
            // An element that is not an object tolerates nothing (and fails the proof if the list is patched).
            if (work.Tolerations.Exists(t => t is not null && t.SameAs(toleration)))
            {
                continue;
            }

            var added = Added.GetValue(toleration, AddedToleration.Of);
            if (hasList)
            {
                var index = work.Tolerations.Count;
                work.Add(JsonPatchOperation.AddOp, index < TolerationPaths.Length ? TolerationPaths[index] : $"{TolerationsPath}/{index}", added.Json);
            }
            else
            {
                // A node in a list has that list for parent: this one is the request's own.
                work.Add(JsonPatchOperation.AddOp, TolerationsPath, new JsonArray(toleration.ToJson()));
                hasList = true;
            }

            work.Tolerations.Add(added.Reading);
            work.Changes.Add("tolerations");
            work.Warn(added.Warning);
        }
    }

    /// <summary><see cref="SchedulingMutation"/>'s node selector merge: the profile's value wins over gpuPods' for
    /// a key both name, and a key the pod already sets keeps its value with a warning. False when the general
    /// path must decide (a value that is not a string).</summary>
    private static bool MergeNodeSelector(Work work, ReadOnlySpan<byte> body, SlotMembers? nodeSelector, GpuPolicy policy, GpuProfile? profile)
    {
        var exists = nodeSelector is not null;
        foreach (var wanted in WantedSelectors(policy, profile))
        {
            var (key, value) = (wanted.Key, wanted.Value);
            var current = nodeSelector?.Find(body, key) ?? default;
            if (current.Present && !current.IsNullIn(body) && !current.IsStringIn(body))
            {
                return false;
            }

            var text = current.StringIn(body);
            if (text == value)
            {
                continue;
            }

            if (text is not null)
            {
                work.Warn($"kept nodeSelector {key}={text}; the policy asks for {value}");
                continue;
            }

            if (exists)
            {
                work.Add(JsonPatchOperation.AddOp, wanted.MemberPath, wanted.Member);
            }
            else
            {
                work.Add(JsonPatchOperation.AddOp, NodeSelectorPath, wanted.Selector);
                exists = true;
            }

            work.Changes.Add("node-selector");
            work.Warn(wanted.Warning);
        }

        return true;
    }

    /// <summary>The node selectors a GPU pod of <paramref name="profile"/> (or of no profile) should have, in key
    /// order, gpuPods' merged with the profile's; built once per profile of the policy in force.</summary>
    private static WantedSelector[] WantedSelectors(GpuPolicy policy, GpuProfile? profile)
    {
        var owner = (object?)profile ?? policy.GpuPods;
        if (Selectors.TryGetValue(owner, out var cached) && ReferenceEquals(cached.GpuPods, policy.GpuPods))
        {
            return cached.Selectors;
        }

        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in new[] { policy.GpuPods.NodeSelector, profile?.NodeSelector })
        {
            foreach (var (key, value) in source ?? new Dictionary<string, string>())
            {
                merged[key] = value;
            }
        }

        var from = profile is null ? string.Empty : $" (profile {profile.Name})";
        var selectors = merged.Select(m => new WantedSelector(
            m.Key,
            m.Value,
            JsonPointer.Build(NodeSelector, m.Key),
            JsonValue.Create(m.Value),
            new JsonObject { [m.Key] = m.Value },
            $"added nodeSelector {m.Key}={m.Value}{from}")).ToArray();
        Selectors.AddOrUpdate(owner, new OwnedSelectors(policy.GpuPods, selectors));
        return selectors;
    }

    /// <summary>The annotation <see cref="PodMutator"/> sets on every pod it patches, set-if-different like
    /// <see cref="JsonPatchBuilder.Set"/>. False when the general path must decide (annotations that are
    /// neither an object nor null).</summary>
    private static bool SetPolicyAnnotation(Work work, SparseSections.Original<SlotMembers> annotations, ReadOnlySpan<byte> body, string value)
    {
        if (annotations.Missing)
        {
            work.Add(JsonPatchOperation.AddOp, AnnotationsPath, new JsonObject { [PolicyAnnotations.Policy] = value });
            return true;
        }

        if (annotations.Value is null)
        {
            return false;
        }

        var current = annotations.Value.Values[PolicyAnnotation];
        if (current.StringIn(body) != value)
        {
            var op = current.Present && !current.IsNullIn(body) ? JsonPatchOperation.ReplaceOp : JsonPatchOperation.AddOp;
            work.Add(op, PolicyAnnotationPath, JsonValue.Create(value));
        }

        return true;
    }

    private sealed record ResourceName(string Name, byte[][] Utf8);

    /// <summary>A node selector the policy wants, and what adding it puts in the answer (shared read-only like
    /// <see cref="AddedToleration"/>'s JSON): the operation's path and value when the pod has a node selector,
    /// the whole selector when it has none, and the warning.</summary>
    private sealed record WantedSelector(string Key, string Value, string MemberPath, JsonNode Member, JsonObject Selector, string Warning);

    private sealed record OwnedSelectors(GpuPodPolicy GpuPods, WantedSelector[] Selectors);

    /// <summary>What adding a policy toleration puts in the answer, built once per toleration of the policy in
    /// force (the same few are added to most GPU pods): its JSON, shared read-only by the operations that add
    /// it (written out and read by the proof, never put in a document), its reading, and its warning.</summary>
    private sealed record AddedToleration(JsonObject Json, SparseToleration Reading, string Warning)
    {
        public static AddedToleration Of(Toleration toleration) =>
            new(toleration.ToJson(), SparseToleration.Of(toleration), $"added toleration {toleration} so the pod can run on tainted GPU nodes");
    }

    /// <summary>One mutation's state: the patch, the warnings and changes, and the pod's tolerations as the patch
    /// leaves them.</summary>
    private sealed class Work
    {
        public List<JsonPatchOperation> Patch { get; } = [];

        public List<string> Warnings { get; } = [];

        public SortedSet<string> Changes { get; } = new(StringComparer.Ordinal);

        public List<SparseToleration?> Tolerations { get; } = [];

        public void Add(string op, string path, JsonNode value) => Patch.Add(new JsonPatchOperation(op, path, value));

        public void Warn(string message) =>
            Warnings.Add(message.Length <= MutationContext.MaxWarningLength ? message : string.Concat(message.AsSpan(0, MutationContext.MaxWarningLength - 1), "…"));
    }
}
