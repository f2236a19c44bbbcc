namespace Platform.Sandbox.Agent;

/// <summary>One line of the metrics table: a GPU, the pod using it (if any) with its Ray cluster and group, and its readings.</summary>
internal sealed record GpuRow(
    int Gpu,
    string Uuid,
    string Pod,
    string RayCluster,
    string RayGroup,
    double UtilizationPercent,
    double MemoryUsedMiB,
    double MemoryTotalMiB,
    string Health,
    double LastXid)
{
    /// <summary>Builds the rows from the agent's <c>/metrics</c>: one per GPU and pod, as the agent labels its series.</summary>
    public static IReadOnlyList<GpuRow> From(IReadOnlyList<MetricSample> samples)
    {
        var health = samples.Where(s => s.Name == "raygpu_device_health" && s.Value == 1).ToDictionary(s => s.Label("UUID"), s => s.Label("state"), StringComparer.Ordinal);
        string Key(MetricSample s) => $"{s.Label("UUID")}|{s.Label("namespace")}/{s.Label("pod")}";
        var used = samples.Where(s => s.Name == "DCGM_FI_DEV_FB_USED").ToDictionary(Key, s => s.Value, StringComparer.Ordinal);
        var free = samples.Where(s => s.Name == "DCGM_FI_DEV_FB_FREE").ToDictionary(Key, s => s.Value, StringComparer.Ordinal);
        var xid = samples.Where(s => s.Name == "DCGM_FI_DEV_XID_ERRORS").ToDictionary(Key, s => s.Value, StringComparer.Ordinal);
        return [.. samples.Where(s => s.Name == "DCGM_FI_DEV_GPU_UTIL")
            .Select(s => new GpuRow(
                int.TryParse(s.Label("gpu"), System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : -1,
                s.Label("UUID"),
                s.Label("pod").Length > 0 ? $"{s.Label("namespace")}/{s.Label("pod")}" : string.Empty,
                s.Label("ray_cluster"),
                s.Label("ray_group"),
                s.Value,
                used.GetValueOrDefault(Key(s)),
                used.GetValueOrDefault(Key(s)) + free.GetValueOrDefault(Key(s)),
                health.GetValueOrDefault(s.Label("UUID"), "unknown"),
                xid.GetValueOrDefault(Key(s))))
            .OrderBy(r => r.Gpu).ThenBy(r => r.Pod, StringComparer.Ordinal)];
    }
}
