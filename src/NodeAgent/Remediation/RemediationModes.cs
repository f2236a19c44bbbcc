namespace Platform.NodeAgent.Remediation;

/// <summary>
/// Which mode applies to one pod: the configured mode, lowered for heads and pods that are no Ray node,
/// then lowered (never raised) by the namespace's <c>raygpu.io/remediation</c> label. Pure.
/// </summary>
internal static class RemediationModes
{
    public static bool TryParse(string? text, out RemediationMode mode) =>
        Enum.TryParse(text?.Trim(), ignoreCase: true, out mode) && Enum.IsDefined(mode) && !int.TryParse(text, out _);

    public static RemediationMode For(RemediationMode configured, bool evictNonRayPods, RayPodKind kind, string? namespaceLabel)
    {
        var byKind = kind switch
        {
            RayPodKind.Worker => configured,

            // A head holds the cluster's GCS: evicting it ends every job, so heads are only ever annotated.
            RayPodKind.Head => Min(configured, RemediationMode.Annotate),

            // No Ray node to drain: annotate, or evict straight away where the operator chose that.
            _ => evictNonRayPods && configured == RemediationMode.Evict ? RemediationMode.Evict : Min(configured, RemediationMode.Annotate),
        };
        return Min(byKind, NamespaceCap(namespaceLabel));
    }

    /// <summary>
    /// The most a namespace allows. No label allows everything; an unknown value is read as <c>annotate</c>:
    /// a mistyped opt-out must not let the agent evict, and the fault is still reported.
    /// </summary>
    public static RemediationMode NamespaceCap(string? label)
    {
        if (label is null)
        {
            return RemediationMode.Evict;
        }

        return TryParse(label, out var mode) ? mode : RemediationMode.Annotate;
    }

    public static RayPodKind Classify(IReadOnlyDictionary<string, string> labels)
    {
        if (!labels.TryGetValue(RemediationNames.RayClusterLabel, out var cluster) || string.IsNullOrEmpty(cluster))
        {
            return RayPodKind.Other;
        }

        return labels.GetValueOrDefault(RemediationNames.RayNodeTypeLabel) switch
        {
            "worker" => RayPodKind.Worker,
            "head" => RayPodKind.Head,
            _ => RayPodKind.Other,
        };
    }

    private static RemediationMode Min(RemediationMode a, RemediationMode b) => a < b ? a : b;
}
