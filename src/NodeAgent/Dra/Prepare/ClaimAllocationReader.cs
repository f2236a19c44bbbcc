using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Kubernetes;

namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>
/// Pure: from the ResourceClaim the API server returned, the GPUs of this node it was allocated, or the one
/// precise reason it cannot be prepared here. Results of other drivers are left to them (a claim may mix
/// drivers); a result of this driver that is not a healthy GPU of this node's pool fails the whole claim,
/// because the kubelet must not start the pod with fewer devices than the scheduler promised.
/// </summary>
internal static class ClaimAllocationReader
{
    public static (IReadOnlyList<AllocatedGpu>? Gpus, string? Error) Read(
        ClaimRef requested,
        ResourceClaimInfo? claim,
        string driverName,
        string poolName,
        IReadOnlyList<GpuDevice> gpus,
        Func<string, string?> unhealthyReason)
    {
        var name = $"ResourceClaim {requested.Namespace}/{requested.Name}";
        if (claim is null)
        {
            return (null, $"{name} does not exist");
        }

        if (!string.Equals(claim.Uid, requested.Uid, StringComparison.Ordinal))
        {
            return (null, $"{name} has uid {claim.Uid}, not {requested.Uid} as the kubelet asked: the claim was deleted and created again");
        }

        if (claim.Results is null)
        {
            return (null, $"{name} is not allocated");
        }

        var ours = claim.Results.Where(r => string.Equals(r.Driver, driverName, StringComparison.Ordinal)).ToList();
        if (ours.Count == 0)
        {
            var drivers = claim.Results.Select(r => r.Driver).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return (null, drivers.Count == 0
                ? $"{name} has no allocated devices"
                : $"{name} is allocated to driver {string.Join(", ", drivers)}, not {driverName}");
        }

        var byIndex = gpus.ToDictionary(g => g.Index);
        var allocated = new List<AllocatedGpu>();
        foreach (var result in ours)
        {
            if (!string.Equals(result.Pool, poolName, StringComparison.Ordinal))
            {
                return (null, $"{name}: device {result.Device} of request {result.Request} is in pool {result.Pool}, not this node's pool {poolName}");
            }

            if (!DraRequestName.IsValid(result.Request))
            {
                return (null, $"{name}: device {result.Device} has request name '{result.Request}', which is neither a DNS label nor <request>/<subrequest>");
            }

            if (!DraDeviceName.TryParse(result.Device, out var index) || !byIndex.TryGetValue(index, out var gpu))
            {
                return (null, $"{name}: device {result.Device} of request {result.Request} is not a GPU of this node (it has {Describe(gpus)})");
            }

            if (unhealthyReason(gpu.Uuid) is { } reason)
            {
                return (null, $"{name}: device {result.Device} ({gpu.Uuid}) is unhealthy: {reason}");
            }

            // One device serving several requests (admin access, shared devices) is returned once with all of them.
            var existing = allocated.FindIndex(a => a.Gpu.Index == gpu.Index);
            if (existing >= 0)
            {
                var before = allocated[existing];
                allocated[existing] = before with { RequestNames = [.. before.RequestNames, result.Request] };
            }
            else
            {
                allocated.Add(new AllocatedGpu(gpu, result.Pool, result.Device, [result.Request]));
            }
        }

        return (allocated, null);
    }

    private static string Describe(IReadOnlyList<GpuDevice> gpus) =>
        gpus.Count == 0
            ? "no GPUs"
            : string.Join(", ", gpus.OrderBy(g => g.Index).Select(DraDeviceName.Of));
}
