using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Health;

/// <summary>
/// One health state machine per MIG device, for faults NVML attributes to its GPU instance. A MIG
/// device's machine carries its parent's index and the MIG UUID, so its transitions name both. Faults
/// of the parent GPU stay on the parent's machine; consumers combine the two. Not thread-safe: the
/// tracker's lock guards it.
/// </summary>
internal sealed class MigHealthMachines
{
    private readonly Dictionary<string, GpuHealthStateMachine> _byUuid = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<(uint GpuInstanceId, GpuHealthStateMachine Machine)>> _byParent = new(StringComparer.OrdinalIgnoreCase);

    public MigHealthMachines(GpuDiscovery discovery, IReadOnlySet<ulong> ignoredXids, IReadOnlySet<ulong> fatalXids, TimeSpan quietPeriod)
    {
        foreach (var mig in discovery.MigDevices)
        {
            if (discovery.FindByUuid(mig.ParentUuid) is not { } parent)
            {
                continue;
            }

            var machine = new GpuHealthStateMachine(parent with { Uuid = mig.Uuid }, ignoredXids, fatalXids, quietPeriod);
            _byUuid[mig.Uuid] = machine;
            if (!_byParent.TryGetValue(parent.Uuid, out var children))
            {
                _byParent[parent.Uuid] = children = [];
            }

            children.Add((mig.GpuInstanceId, machine));
        }
    }

    public bool TryGet(string uuid, out GpuHealthStateMachine machine) => _byUuid.TryGetValue(uuid, out machine!);

    public IEnumerable<GpuHealthStateMachine> ChildrenOf(string parentUuid) =>
        _byParent.TryGetValue(parentUuid, out var children) ? children.Select(c => c.Machine) : [];

    /// <summary>The machines of the MIG devices in GPU instance <paramref name="gpuInstanceId"/> of the parent (several compute instances share one).</summary>
    public IReadOnlyList<GpuHealthStateMachine> InInstance(string parentUuid, uint gpuInstanceId) =>
        _byParent.TryGetValue(parentUuid, out var children)
            ? [.. children.Where(c => c.GpuInstanceId == gpuInstanceId).Select(c => c.Machine)]
            : [];
}
