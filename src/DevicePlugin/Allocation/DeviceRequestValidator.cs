using System.Globalization;
using Grpc.Core;

namespace Platform.DevicePlugin.Allocation;

/// <summary>
/// Checks the device IDs of one container request against the current layout: drops duplicates, maps
/// replicas to their GPU, and refuses unknown (InvalidArgument) or unhealthy (FailedPrecondition) IDs
/// with a message that names the ID and the resource, because the kubelet turns it into the pod's
/// UnexpectedAdmissionError and never retries.
/// </summary>
internal static class DeviceRequestValidator
{
    public static ValidatedRequest Validate(IEnumerable<string> requestedIds, ResourceLayout layout, string resourceName, bool failRequestsGreaterThanOne)
    {
        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in requestedIds)
        {
            if (seen.Add(id))
            {
                ids.Add(id);
            }
        }

        if (ids.Count == 0)
        {
            return ValidatedRequest.Fail(StatusCode.InvalidArgument, $"the request for resource '{resourceName}' names no device IDs", null);
        }

        var devices = new List<AdvertisedDevice>(ids.Count);
        foreach (var id in ids)
        {
            var device = layout.Find(id);
            if (device is null)
            {
                return ValidatedRequest.Fail(StatusCode.InvalidArgument, UnknownMessage(id, resourceName, layout, ids.Count), id);
            }

            if (!device.Gpu.IsHealthy)
            {
                var reason = string.IsNullOrWhiteSpace(device.Gpu.HealthReason) ? "no reason reported" : device.Gpu.HealthReason;
                return ValidatedRequest.Fail(
                    StatusCode.FailedPrecondition,
                    $"device {DeviceIdText.One(id)} of resource '{resourceName}' (GPU {device.Gpu.Index}, {device.Gpu.Uuid}) is unhealthy: {reason}; the kubelet will stop offering it once it reads the updated device list",
                    id);
            }

            devices.Add(device);
        }

        var shared = devices.Where(d => d.Replica is not null).ToList();
        if (failRequestsGreaterThanOne && shared.Count > 0 && devices.Count > 1)
        {
            return ValidatedRequest.Fail(
                StatusCode.InvalidArgument,
                $"the request for {devices.Count} devices of resource '{resourceName}' includes shared GPU replicas ({DeviceIdText.One(shared[0].Id)}), and Sharing:FailRequestsGreaterThanOne allows at most 1; request 1, or disable FailRequestsGreaterThanOne",
                shared[0].Id);
        }

        var gpus = devices.Select(d => d.Gpu).DistinctBy(g => g.Uuid).ToList();
        return new ValidatedRequest(ids, devices, gpus, null);
    }

    private static string UnknownMessage(string id, string resourceName, ResourceLayout layout, int requested)
    {
        var separator = id.IndexOf(AdvertisedDevice.ReplicaSeparator, StringComparison.Ordinal);
        var uuid = separator >= 0 ? id[..separator] : id;
        var quoted = DeviceIdText.One(id);
        var others = requested > 1 ? string.Create(CultureInfo.InvariantCulture, $" (the request names {requested:N0} device IDs)") : string.Empty;
        if (layout.ReplicasPerGpu.TryGetValue(uuid, out var replicas))
        {
            return replicas > 1
                ? $"device {quoted} is not a device of resource '{resourceName}': GPU {uuid} is advertised as replicas {uuid}::0 to {uuid}::{replicas - 1}{others}"
                : $"device {quoted} is not a device of resource '{resourceName}': GPU {uuid} is not shared, its device ID is '{uuid}'{others}";
        }

        return layout.Snapshot.Find(uuid) is null
            ? string.Create(CultureInfo.InvariantCulture, $"device {quoted} is not a device of resource '{resourceName}' on this node ({layout.Devices.Count} devices advertised); the GPU may have been removed{others}")
            : $"device {quoted} is not a device of resource '{resourceName}': GPU {uuid} is advertised under another resource{others}";
    }
}
