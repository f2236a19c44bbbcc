using Platform.DevicePlugin.Allocation;
using Platform.DevicePlugin.Configuration;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Allocation;

public sealed class ResourceLayoutTests
{
    [Fact]
    public void Build_MixedReplicaCounts_OneResource()
    {
        var policy = new ReplicaPolicy(1, [new ReplicaOverride { Index = 1, Replicas = 2 }], false, false, ReplicaPlacement.Distributed);
        var snapshot = Snapshot(Many(2));

        var layout = ResourceLayout.Build(snapshot, new ResourceSettings("nvidia.com/gpu", "nvidia-gpu.sock", false), policy);

        Assert.Equal([Uuid(0), $"{Uuid(1)}::0", $"{Uuid(1)}::1"], layout.Devices.Select(d => d.Id));
        Assert.True(layout.HasReplicas);
        Assert.Equal(1, layout.Find($"{Uuid(1)}::1")!.Replica);
        Assert.Equal(Uuid(1), layout.Find($"{Uuid(1)}::1")!.Gpu.Uuid);
    }

    [Fact]
    public void Build_SeparateSharedResource_SplitsGpus()
    {
        var policy = new ReplicaPolicy(1, [new ReplicaOverride { Index = 1, Replicas = 2 }], true, false, ReplicaPlacement.Distributed);
        var snapshot = Snapshot(Many(2));

        var whole = ResourceLayout.Build(snapshot, new ResourceSettings("nvidia.com/gpu", "a.sock", false), policy);
        var shared = ResourceLayout.Build(snapshot, new ResourceSettings("nvidia.com/shared-gpu", "b.sock", true), policy);

        Assert.Equal([Uuid(0)], whole.Devices.Select(d => d.Id));
        Assert.False(whole.HasReplicas);
        Assert.Equal([$"{Uuid(1)}::0", $"{Uuid(1)}::1"], shared.Devices.Select(d => d.Id));
    }

    [Fact]
    public void Build_EightGpusSixteenReplicas_AdvertisesOneHundredTwentyEightIdsWithinKubeletLimit()
    {
        var policy = new ReplicaPolicy(16, [], false, false, ReplicaPlacement.Distributed);

        var layout = ResourceLayout.Build(Snapshot(Many(8)), new ResourceSettings("nvidia.com/gpu", "a.sock", false), policy);

        Assert.Equal(128, layout.Devices.Count);
        Assert.All(layout.Devices, d => Assert.True(d.Id.Length <= KubeletPaths.MaxDeviceIdLength));
    }
}
