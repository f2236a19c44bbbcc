namespace Platform.Webhook.Policy;

/// <summary>The declarative GPU policy (file format v1). Immutable; produced by <see cref="PolicyLoader"/>.</summary>
internal sealed record GpuPolicy(
    string GpuResourceName,
    string GpuNodeLabel,
    HeadPolicy Head,
    GpuPodPolicy GpuPods,
    IReadOnlyDictionary<string, GpuProfile> Profiles,
    IReadOnlyList<ProfileRule> Rules,
    RayPolicy Ray)
{
    public const string DefaultGpuResourceName = "nvidia.com/gpu";
    public const string DefaultGpuNodeLabel = "nvidia.com/gpu.present";

    /// <summary>How Ray custom resources are treated on UPDATE; outside the positional list so every existing
    /// construction keeps the default.</summary>
    public CustomResourcePolicy CustomResources { get; init; } = CustomResourcePolicy.Default;

    /// <summary>What the webhook enforces when no policy file is configured: head protection and the
    /// tolerations every GPU pod needs on GPU node groups tainted as NVIDIA's and KubeRay's guides ask.</summary>
    public static GpuPolicy Default { get; } = new(
        DefaultGpuResourceName,
        DefaultGpuNodeLabel,
        HeadPolicy.Default,
        GpuPodPolicy.Default,
        new Dictionary<string, GpuProfile>(StringComparer.Ordinal),
        [],
        RayPolicy.Default);
}

/// <summary>How Ray head pods without a GPU limit are kept away from GPUs.</summary>
internal sealed record HeadPolicy(bool AvoidGpuNodes, bool HideGpus, IReadOnlyDictionary<string, string> Annotations)
{
    public static HeadPolicy Default { get; } = new(true, true, new Dictionary<string, string>(StringComparer.Ordinal));
}

/// <summary>What every Ray pod whose Ray container ends up with GPU limits gets.</summary>
internal sealed record GpuPodPolicy(IReadOnlyList<Toleration> Tolerations, IReadOnlyDictionary<string, string> NodeSelector)
{
    public static GpuPodPolicy Default { get; } = new(
        [
            new Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule", null),
            new Toleration("ray.io/node-type", "Equal", "worker", "NoSchedule", null),
        ],
        new Dictionary<string, string>(StringComparer.Ordinal));
}

/// <summary>A named GPU shape for workers.</summary>
/// <param name="Gpus">GPU limit of the Ray container; null leaves the pod's own count alone.</param>
/// <param name="Enforce">Replace a different GPU count the pod already asks for.</param>
/// <param name="Namespaces">Globs of the namespaces whose pods may select the profile by annotation; null lets
/// every namespace. Rules that select the profile keep their own namespace matching.</param>
internal sealed record GpuProfile(
    string Name,
    int? Gpus,
    bool Enforce,
    IReadOnlyDictionary<string, string> NodeSelector,
    IReadOnlyList<Toleration> Tolerations,
    IReadOnlyList<NodeSelectorRequirement> NodeAffinity,
    IReadOnlyList<string>? Namespaces = null)
{
    /// <summary>Whether a pod in <paramref name="podNamespace"/> may ask for this profile by annotation.</summary>
    public bool AllowsNamespace(string? podNamespace) => Glob.MatchesAny(Namespaces, podNamespace ?? string.Empty);
}

/// <summary>Selects a profile for worker pods; every omitted list matches anything. Values are globs.</summary>
internal sealed record ProfileRule(
    string Profile,
    IReadOnlyList<string>? Namespaces,
    IReadOnlyList<string>? Clusters,
    IReadOnlyList<string>? Groups)
{
    public bool Matches(string? podNamespace, string cluster, string? group) =>
        Glob.MatchesAny(Namespaces, podNamespace ?? string.Empty)
        && Glob.MatchesAny(Clusters, cluster)
        && Glob.MatchesAny(Groups, group ?? string.Empty);
}
