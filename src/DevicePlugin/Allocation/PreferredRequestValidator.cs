using System.Globalization;
using Grpc.Core;

namespace Platform.DevicePlugin.Allocation;

/// <summary>
/// Checks one GetPreferredAllocation container request before a choice is made. The kubelet only sends
/// possible requests (must-include within available, size between the two), so a request that breaks
/// these rules comes from a bug or another caller; it is refused with InvalidArgument naming the rule
/// rather than answered with a set the kubelet would then reject or trim.
/// </summary>
internal static class PreferredRequestValidator
{
    public static AllocationError? Validate(
        IReadOnlyCollection<string> availableIds,
        IReadOnlyCollection<string> mustIncludeIds,
        int size,
        ResourceLayout layout,
        string resourceName)
    {
        var prefix = $"GetPreferredAllocation for resource '{resourceName}'";
        if (size <= 0)
        {
            return Invalid(string.Create(CultureInfo.InvariantCulture, $"{prefix}: allocation_size is {size}; it must be at least 1"), null);
        }

        if (Duplicates(availableIds) is { Count: > 0 } availableTwice)
        {
            return Invalid($"{prefix}: available_deviceIDs names {DeviceIdText.List(availableTwice)} more than once", availableTwice[0]);
        }

        if (Duplicates(mustIncludeIds) is { Count: > 0 } mustTwice)
        {
            return Invalid($"{prefix}: must_include_deviceIDs names {DeviceIdText.List(mustTwice)} more than once", mustTwice[0]);
        }

        var unknown = availableIds.Concat(mustIncludeIds).Distinct(StringComparer.Ordinal).Where(id => layout.Find(id) is null).ToList();
        if (unknown.Count > 0)
        {
            return Invalid(
                string.Create(CultureInfo.InvariantCulture, $"{prefix}: {DeviceIdText.List(unknown)} {(unknown.Count == 1 ? "is not a device" : "are not devices")} of this resource on this node ({layout.Devices.Count} devices advertised)"),
                unknown[0]);
        }

        var available = availableIds.ToHashSet(StringComparer.Ordinal);
        var notOffered = mustIncludeIds.Where(id => !available.Contains(id)).ToList();
        if (notOffered.Count > 0)
        {
            return Invalid($"{prefix}: must_include_deviceIDs {DeviceIdText.List(notOffered)} {(notOffered.Count == 1 ? "is" : "are")} not in available_deviceIDs", notOffered[0]);
        }

        if (mustIncludeIds.Count > size)
        {
            return Invalid(string.Create(CultureInfo.InvariantCulture, $"{prefix}: must_include_deviceIDs names {mustIncludeIds.Count:N0} devices, more than allocation_size {size:N0}"), null);
        }

        if (size > available.Count)
        {
            return Invalid(string.Create(CultureInfo.InvariantCulture, $"{prefix}: allocation_size {size:N0} is more than the {available.Count:N0} available devices"), null);
        }

        return null;
    }

    private static List<string> Duplicates(IEnumerable<string> ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var twice = new HashSet<string>(StringComparer.Ordinal);
        return ids.Where(id => !seen.Add(id) && twice.Add(id)).ToList();
    }

    private static AllocationError Invalid(string message, string? deviceId) => new(StatusCode.InvalidArgument, message, deviceId);
}
