using Platform.DevicePlugin.Configuration;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Configuration;

public sealed class ReplicaPolicyTests
{
    private static readonly ReplicaPolicy Policy = new(
        DefaultReplicas: 2,
        Overrides:
        [
            new ReplicaOverride { Product = "nvidia a10g", Replicas = 8 },
            new ReplicaOverride { Index = 1, Replicas = 3 },
            new ReplicaOverride { Uuid = Uuid(1).ToLowerInvariant(), Replicas = 5 },
            new ReplicaOverride { Index = 2, Replicas = 1 },
        ],
        SeparateSharedResource: false,
        FailRequestsGreaterThanOne: false,
        Placement: ReplicaPlacement.Distributed);

    [Theory]
    [InlineData(0, "NVIDIA A100", 2)]   // no match: global count
    [InlineData(0, "NVIDIA A10G", 8)]   // product, case-insensitive
    [InlineData(1, "NVIDIA A10G", 5)]   // UUID beats index and product
    [InlineData(2, "NVIDIA A10G", 1)]   // index beats product
    [InlineData(3, " NVIDIA A10G ", 8)] // product names are trimmed
    public void ReplicasFor_UuidThenIndexThenProductThenGlobal(int index, string product, int expected) =>
        Assert.Equal(expected, Policy.ReplicasFor(Gpu(index, product: product)));
}
