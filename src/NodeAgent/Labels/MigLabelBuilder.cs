using System.Globalization;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Mig;

namespace Platform.NodeAgent.Labels;

/// <summary>
/// GPU Feature Discovery's MIG labels on top of <see cref="GpuLabelBuilder"/>'s. Pure.
/// <list type="bullet">
/// <item>every GPU node: <c>nvidia.com/mig.strategy</c>;</item>
/// <item>single, MIG devices advertised: the <c>nvidia.com/gpu.*</c> labels describe one MIG device
/// (product <c>…-MIG-&lt;profile&gt;</c>, count, memory, multiprocessors, slices, engines);</item>
/// <item>mixed: per advertised profile <c>nvidia.com/mig-&lt;profile&gt;.count</c>, <c>.memory</c>,
/// <c>.multiprocessors</c>, <c>.slices.gi|ci</c>, <c>.engines.*</c>; the <c>nvidia.com/gpu.*</c> labels
/// keep describing the physical GPUs.</item>
/// </list>
/// Profiles are spelt with '+' as '.' (DECISIONS 7); a layout the strategy cannot advertise gets no MIG labels.
/// </summary>
internal static class MigLabelBuilder
{
    public static void Add(SortedDictionary<string, string> labels, GpuDiscovery discovery, MigPlan plan)
    {
        if (discovery.Devices.Count == 0)
        {
            return;
        }

        labels[GpuLabels.MigStrategy] = MigStrategies.Name(plan.Strategy);
        var advertised = plan.AdvertisedMig.Values.OrderBy(m => m.ParentIndex).ThenBy(m => m.Index).ToList();
        if (advertised.Count == 0)
        {
            return;
        }

        if (plan.Strategy == MigStrategy.Single)
        {
            var first = advertised[0];
            var parent = discovery.FindByUuid(first.ParentUuid) ?? discovery.Devices[0];
            labels[GpuLabels.Product] = GpuLabelBuilder.SanitizeProduct($"{parent.Name}-MIG-{MigProfile.Sanitize(first.Profile)}");
            labels[GpuLabels.Count] = Invariant(advertised.Count);
            Describe(labels, "nvidia.com/gpu", first);
            return;
        }

        foreach (var group in advertised.GroupBy(m => MigProfile.Sanitize(m.Profile)))
        {
            var prefix = GpuLabels.MigProfilePrefix + group.Key;
            labels[prefix + ".count"] = Invariant(group.Count());
            Describe(labels, prefix, group.First());
        }
    }

    private static void Describe(SortedDictionary<string, string> labels, string prefix, MigDevice mig)
    {
        labels[prefix + ".memory"] = Invariant(mig.MemoryMiB);
        labels[prefix + ".multiprocessors"] = Invariant(mig.Multiprocessors);
        labels[prefix + ".slices.gi"] = Invariant(mig.Slices.GpuInstance);
        labels[prefix + ".slices.ci"] = Invariant(mig.Slices.ComputeInstance);
        labels[prefix + ".engines.copy"] = Invariant(mig.Engines.Copy);
        labels[prefix + ".engines.decoder"] = Invariant(mig.Engines.Decoder);
        labels[prefix + ".engines.encoder"] = Invariant(mig.Engines.Encoder);
        labels[prefix + ".engines.jpeg"] = Invariant(mig.Engines.Jpeg);
        labels[prefix + ".engines.ofa"] = Invariant(mig.Engines.Ofa);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
