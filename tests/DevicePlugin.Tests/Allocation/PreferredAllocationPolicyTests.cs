using Platform.DevicePlugin.Allocation;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Inventory;
using static Platform.DevicePlugin.Tests.Allocation.DeviceRequestValidatorTests;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Allocation;

public sealed class PreferredAllocationPolicyTests
{
    /// <summary>A DGX-like box: NVLink pairs (0,1) (2,3) (4,5) (6,7), 0-3 on NUMA 0, 4-7 on NUMA 1.</summary>
    private static readonly GpuDevice[] Eight = Many(8, i => i / 4);

    private static readonly GpuLink[] Pairs =
    [
        Link(0, 1, GpuInterconnect.NvLink, 12), Link(2, 3, GpuInterconnect.NvLink, 12),
        Link(4, 5, GpuInterconnect.NvLink, 12), Link(6, 7, GpuInterconnect.NvLink, 12),
        Link(0, 2, GpuInterconnect.SinglePcieSwitch), Link(1, 3, GpuInterconnect.SinglePcieSwitch),
    ];

    public static TheoryData<int[], int[], int, int[]> WholeGpuCases => new()
    {
        // available, must include, size, expected (indexes)
        { [0, 1, 2, 3, 4, 5, 6, 7], [], 2, [0, 1] },
        { [1, 2, 3, 4, 5, 6, 7], [], 2, [2, 3] },
        { [0, 2, 4, 5, 6], [], 2, [4, 5] },
        { [0, 1, 2, 3, 4, 5, 6, 7], [6], 2, [6, 7] },
        { [0, 1, 2, 3, 4, 5, 6, 7], [], 4, [0, 1, 2, 3] },
        { [0, 1, 2, 3, 4, 5, 6, 7], [3, 5], 2, [3, 5] },
        { [0, 4, 6], [], 2, [4, 6] },
        { [0, 1, 2, 3, 4, 5, 6, 7], [], 8, [0, 1, 2, 3, 4, 5, 6, 7] },
    };

    [Theory]
    [MemberData(nameof(WholeGpuCases))]
    public void Choose_WholeGpus_PrefersBestInterconnectAndKeepsMustInclude(int[] available, int[] must, int size, int[] expected)
    {
        var layout = Layout(Eight, ReplicaPolicy.None, links: Pairs);

        var choice = PreferredAllocationPolicy.Choose(layout, available.Select(Uuid), must.Select(Uuid), size, ReplicaPlacement.Distributed);

        Assert.Equal(expected.Select(Uuid).Order(), choice.DeviceIds.Order());
        Assert.All(must.Select(Uuid), id => Assert.Contains(id, choice.DeviceIds));
    }

    [Fact]
    public void Choose_DeviceWithoutTopology_DegradesToUnalignedChoiceInsteadOfFailing()
    {
        // NVIDIA k8s-device-plugin #2038: one GPU lost its topology (XID 79) and every allocation failed.
        var gpus = new[] { Gpu(0, numa: null), Gpu(1, numa: null), Gpu(2, numa: null) };
        var layout = Layout(gpus, ReplicaPolicy.None);

        var choice = PreferredAllocationPolicy.Choose(layout, gpus.Select(g => g.Uuid), [Uuid(2)], 2, ReplicaPlacement.Distributed);

        Assert.Equal([Uuid(2), Uuid(0)], choice.DeviceIds);
        Assert.False(choice.TopologyAligned);
    }

    [Fact]
    public void Choose_UnhealthyCandidates_AreSkippedWhileHealthyOnesSuffice()
    {
        var layout = Layout(Eight, ReplicaPolicy.None, unhealthy: 1, links: Pairs);

        var choice = PreferredAllocationPolicy.Choose(layout, [Uuid(0), Uuid(1), Uuid(2)], [], 2, ReplicaPlacement.Distributed);

        Assert.Equal([Uuid(0), Uuid(2)], choice.DeviceIds);
    }

    [Fact]
    public void Choose_TooFewHealthyDevices_StillReturnsExactlyTheSizeFromAvailable()
    {
        // The kubelet offered an unhealthy device before reading the new list: the answer keeps the contract
        // (exactly allocation_size, all offered), and Allocate explains the unhealthy one if it is taken.
        var layout = Layout(Eight, ReplicaPolicy.None, unhealthy: 1, links: Pairs);

        var choice = PreferredAllocationPolicy.Choose(layout, [Uuid(0), Uuid(1)], [], 2, ReplicaPlacement.Distributed);

        Assert.Equal([Uuid(0), Uuid(1)], choice.DeviceIds);
    }

    public static TheoryData<int, int[], int[], int> ContractCases => new()
    {
        // replicas, available (GPU indexes; replicas take ::0..), must include, size
        { 1, [0, 1, 2, 3, 4, 5, 6, 7], [], 1 },
        { 1, [0, 1, 2, 3, 4, 5, 6, 7], [], 8 },
        { 1, [0, 1, 2, 3, 4, 5, 6, 7], [7], 3 },
        { 1, [1, 3, 5], [1, 3, 5], 3 },
        { 1, [0, 1], [0], 1 },
        { 4, [0, 1, 2], [], 5 },
        { 4, [0, 1, 2], [2], 12 },
        { 4, [0], [0], 4 },
    };

    [Theory]
    [MemberData(nameof(ContractCases))]
    public void Choose_AnyAcceptedRequest_ReturnsExactlySizeFromAvailableWithEveryMustInclude(int replicas, int[] gpus, int[] must, int size)
    {
        var policy = replicas > 1 ? Replicas(replicas) : ReplicaPolicy.None;
        var layout = Layout(Eight, policy, unhealthy: 1, links: Pairs);
        string[] Ids(int[] indexes) => replicas > 1
            ? indexes.SelectMany(i => Enumerable.Range(0, replicas).Select(r => $"{Uuid(i)}::{r}")).ToArray()
            : indexes.Select(Uuid).ToArray();
        var available = Ids(gpus);
        var mustIds = Ids(must).Take(size).ToArray();
        Assert.Null(PreferredRequestValidator.Validate(available, mustIds, size, layout, "nvidia.com/gpu"));

        var choice = PreferredAllocationPolicy.Choose(layout, available, mustIds, size, ReplicaPlacement.Distributed);

        Assert.Equal(size, choice.DeviceIds.Count);
        Assert.Equal(size, choice.DeviceIds.Distinct().Count());
        Assert.All(choice.DeviceIds, id => Assert.Contains(id, available));
        Assert.All(mustIds, id => Assert.Contains(id, choice.DeviceIds));
    }

    [Fact]
    public void Choose_SixteenGpusHalf_ExhaustiveSearchFindsOneNumaNode()
    {
        var gpus = Many(16, i => i / 8);
        var links = Enumerable.Range(0, 8).Select(i => Link(2 * i, (2 * i) + 1, GpuInterconnect.NvLink, 4)).ToArray();
        var layout = Layout(gpus, ReplicaPolicy.None, links: links);

        // C(16,8) = 12870 sets, still searched exhaustively: the best half is one NUMA node with its NVLink pairs.
        var choice = PreferredAllocationPolicy.Choose(layout, gpus.Select(g => g.Uuid), [], 8, ReplicaPlacement.Distributed);

        Assert.Equal(Enumerable.Range(0, 8).Select(Uuid), choice.DeviceIds);
        Assert.True(choice.TopologyAligned);
    }

    [Fact]
    public void Choose_ManyGpus_GreedyAboveTheExhaustiveLimit()
    {
        var gpus = Many(32, i => i / 16);
        var layout = Layout(gpus, ReplicaPolicy.None);

        var choice = PreferredAllocationPolicy.Choose(layout, gpus.Select(g => g.Uuid), [Uuid(20)], 8, ReplicaPlacement.Distributed);

        Assert.Equal(8, choice.DeviceIds.Count);
        Assert.Contains(Uuid(20), choice.DeviceIds);
        Assert.All(choice.DeviceIds, id => Assert.Equal(1, layout.Find(id)!.Gpu.NumaNode));
    }

    [Fact]
    public void Choose_ReplicasDistributed_SpreadsOverLeastUsedGpus()
    {
        var layout = Layout(Many(3), Replicas(4));
        // GPU 0 has 1 free replica, GPU 1 has 4, GPU 2 has 3.
        var available = new[] { $"{Uuid(0)}::3", $"{Uuid(1)}::0", $"{Uuid(1)}::1", $"{Uuid(1)}::2", $"{Uuid(1)}::3", $"{Uuid(2)}::1", $"{Uuid(2)}::2", $"{Uuid(2)}::3" };

        var one = PreferredAllocationPolicy.Choose(layout, available, [], 1, ReplicaPlacement.Distributed);
        var two = PreferredAllocationPolicy.Choose(layout, available, [], 2, ReplicaPlacement.Distributed);

        Assert.Equal([$"{Uuid(1)}::0"], one.DeviceIds);
        Assert.Equal([$"{Uuid(1)}::0", $"{Uuid(2)}::1"], two.DeviceIds);
    }

    [Fact]
    public void Choose_ReplicasPacked_FillsMostUsedGpuFirst()
    {
        var layout = Layout(Many(3), Replicas(4, ReplicaPlacement.Packed));
        var available = new[] { $"{Uuid(0)}::2", $"{Uuid(0)}::3", $"{Uuid(1)}::0", $"{Uuid(1)}::1", $"{Uuid(1)}::2", $"{Uuid(1)}::3", $"{Uuid(2)}::3" };

        var one = PreferredAllocationPolicy.Choose(layout, available, [], 1, ReplicaPlacement.Packed);
        var three = PreferredAllocationPolicy.Choose(layout, available, [], 3, ReplicaPlacement.Packed);

        Assert.Equal([$"{Uuid(2)}::3"], one.DeviceIds);
        Assert.Equal([$"{Uuid(2)}::3", $"{Uuid(0)}::2", $"{Uuid(0)}::3"], three.DeviceIds);
    }

    [Fact]
    public void Choose_ReplicasWithMustInclude_KeepsIt()
    {
        var layout = Layout(Many(2), Replicas(2));
        var available = new[] { $"{Uuid(0)}::0", $"{Uuid(0)}::1", $"{Uuid(1)}::0", $"{Uuid(1)}::1" };

        var choice = PreferredAllocationPolicy.Choose(layout, available, [$"{Uuid(0)}::1"], 2, ReplicaPlacement.Distributed);

        Assert.Equal([$"{Uuid(0)}::1", $"{Uuid(1)}::0"], choice.DeviceIds);
    }
}
