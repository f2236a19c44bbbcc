namespace Platform.NodeAgent.Metrics;

/// <summary>
/// Maps GPUs to the pods holding them from a pod-resources listing. Device IDs are GPU UUIDs, or
/// <c>&lt;uuid&gt;::&lt;replica&gt;</c> for time-sliced replicas: every pod holding a replica of a GPU is attributed.
/// </summary>
internal static class PodAttributionBuilder
{
    public const string RayClusterLabel = "ray.io/cluster";
    public const string RayGroupLabel = "ray.io/group";

    public static Dictionary<string, IReadOnlyList<PodRef>> Build(
        IReadOnlyList<ContainerDevices> containers,
        IReadOnlySet<string> knownUuids,
        Func<string, string, IReadOnlyDictionary<string, string>?> podLabels)
    {
        var byUuid = new Dictionary<string, List<PodRef>>(StringComparer.OrdinalIgnoreCase);
        foreach (var container in containers)
        {
            foreach (var deviceId in container.DeviceIds)
            {
                var uuid = BaseUuid(deviceId);
                if (!knownUuids.Contains(uuid))
                {
                    continue;
                }

                var labels = podLabels(container.Namespace, container.Pod);
                var pod = new PodRef(
                    container.Namespace,
                    container.Pod,
                    container.Container,
                    labels is not null && labels.TryGetValue(RayClusterLabel, out var cluster) ? cluster : string.Empty,
                    labels is not null && labels.TryGetValue(RayGroupLabel, out var group) ? group : string.Empty);
                if (!byUuid.TryGetValue(uuid, out var list))
                {
                    byUuid[uuid] = list = [];
                }

                if (!list.Contains(pod))
                {
                    list.Add(pod);
                }
            }
        }

        return byUuid.ToDictionary(
            p => p.Key,
            p => (IReadOnlyList<PodRef>)[.. p.Value.OrderBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Pod, StringComparer.Ordinal).ThenBy(r => r.Container, StringComparer.Ordinal)],
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary><c>GPU-abc::3</c> → <c>GPU-abc</c>.</summary>
    public static string BaseUuid(string deviceId)
    {
        var separator = deviceId.IndexOf("::", StringComparison.Ordinal);
        return separator < 0 ? deviceId : deviceId[..separator];
    }
}
