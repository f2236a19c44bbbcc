using System.Globalization;
using Platform.NodeAgent.Inventory;
using PluginDevice = Platform.DevicePlugin.Inventory.GpuDevice;

namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>
/// Decides what a node advertises under each MIG strategy, as NVIDIA's device plugin does. Pure.
/// <list type="bullet">
/// <item><c>none</c>: every GPU whole, MIG ignored.</item>
/// <item><c>single</c>: without MIG, every GPU whole; with MIG on every GPU and one profile throughout,
/// every MIG device as the configured resource (<c>nvidia.com/gpu</c>). Any other layout (MIG on some
/// GPUs only, several profiles, MIG on but no instances) advertises nothing and says why.</item>
/// <item><c>mixed</c>: GPUs without MIG whole; MIG devices as <c>nvidia.com/mig-&lt;profile&gt;</c>.</item>
/// </list>
/// A MIG-enabled GPU itself is never advertised under single or mixed: CUDA cannot use it whole.
/// </summary>
internal static class MigPlanner
{
    /// <summary>Device-plugin indexes of MIG devices start above any whole GPU's, ordered by parent then MIG index.</summary>
    private const int IndexBase = 1000;

    public static MigPlan Plan(GpuDiscovery discovery, MigStrategy strategy)
    {
        var plan = Assign(discovery, strategy);
        var found = Found(discovery, strategy);
        var advertised = plan.Devices.CountBy(d => d.ResourceName ?? string.Empty).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return plan with
        {
            Resources =
            [
                .. found.Keys.Union(advertised.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
                    .Select(r => (r.Length == 0 ? null : r, found.GetValueOrDefault(r), advertised.GetValueOrDefault(r))),
            ],
        };
    }

    /// <summary>Devices per resource ("" for the configured one) as the strategy would advertise a layout it accepts.</summary>
    private static Dictionary<string, int> Found(GpuDiscovery discovery, MigStrategy strategy)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var gpu in discovery.Devices.Where(d => strategy == MigStrategy.None || !d.MigEnabled))
        {
            found[string.Empty] = found.GetValueOrDefault(string.Empty) + 1;
        }

        if (strategy != MigStrategy.None)
        {
            foreach (var mig in discovery.MigDevices.Where(m => discovery.FindByUuid(m.ParentUuid)?.MigEnabled == true))
            {
                var resource = strategy == MigStrategy.Mixed ? MigProfile.ResourceName(mig.Profile) : string.Empty;
                found[resource] = found.GetValueOrDefault(resource) + 1;
            }
        }

        return found;
    }

    private static MigPlan Assign(GpuDiscovery discovery, MigStrategy strategy)
    {
        var whole = discovery.Devices.Select(InventoryMapper.ToPluginDevice).ToList();
        if (strategy == MigStrategy.None || !discovery.Devices.Any(d => d.MigEnabled))
        {
            return new MigPlan(strategy, whole, Empty, null);
        }

        if (strategy == MigStrategy.Single && SingleProblem(discovery) is { } problem)
        {
            return new MigPlan(strategy, [], Empty, problem);
        }

        var devices = discovery.Devices.Where(d => !d.MigEnabled).Select(InventoryMapper.ToPluginDevice).ToList();
        var advertised = new Dictionary<string, MigDevice>(StringComparer.Ordinal);
        foreach (var mig in discovery.MigDevices)
        {
            var parent = discovery.FindByUuid(mig.ParentUuid);
            if (parent is null || !parent.MigEnabled)
            {
                continue;
            }

            devices.Add(ToPluginDevice(mig, parent, strategy == MigStrategy.Mixed ? MigProfile.ResourceName(mig.Profile) : null));
            advertised[mig.Uuid] = mig;
        }

        return new MigPlan(strategy, devices, advertised, null);
    }

    public static PluginDevice ToPluginDevice(MigDevice mig, GpuDevice parent, string? resourceName) => new()
    {
        Uuid = mig.Uuid,
        Index = ((parent.Index + 1) * IndexBase) + mig.Index,
        IndexName = string.Create(CultureInfo.InvariantCulture, $"{parent.Index}:{mig.Index}"),
        NumaNode = parent.NumaNode,
        ProductName = parent.Name,
        PciBusId = parent.PciBusId,
        DeviceNodes = [parent.DevicePath, .. mig.CapabilityDevices],
        ResourceName = resourceName,
    };

    /// <summary>Why the single strategy cannot advertise this node's layout, or null when it can.</summary>
    private static string? SingleProblem(GpuDiscovery discovery)
    {
        var without = discovery.Devices.Where(d => !d.MigEnabled).Select(d => d.Index).ToList();
        if (without.Count > 0)
        {
            return $"the single MIG strategy needs MIG on every GPU or on none; GPU {Join(without)} have MIG disabled and GPU {Join(discovery.Devices.Where(d => d.MigEnabled).Select(d => d.Index))} enabled";
        }

        var profiles = discovery.MigDevices.Select(m => m.Profile).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (profiles.Count == 0)
        {
            return "MIG is enabled but no MIG devices exist; create GPU and compute instances (nvidia-smi mig or mig-parted)";
        }

        if (profiles.Count > 1)
        {
            return $"the single MIG strategy needs one profile on every GPU; found {string.Join(", ", profiles)} (use the mixed strategy, or repartition)";
        }

        var empty = discovery.Devices.Where(d => !discovery.MigDevices.Any(m => m.ParentIndex == d.Index)).Select(d => d.Index).ToList();
        return empty.Count > 0
            ? $"the single MIG strategy needs MIG devices on every GPU; GPU {Join(empty)} have none"
            : null;
    }

    private static string Join(IEnumerable<int> indexes) => string.Join(", ", indexes.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    private static readonly IReadOnlyDictionary<string, MigDevice> Empty = new Dictionary<string, MigDevice>();
}
