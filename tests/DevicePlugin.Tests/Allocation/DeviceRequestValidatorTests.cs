using Grpc.Core;
using Platform.DevicePlugin.Allocation;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Inventory;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Allocation;

public sealed class DeviceRequestValidatorTests
{
    private const string Resource = "nvidia.com/gpu";

    public static TheoryData<string[], StatusCode, string[]> Errors => new()
    {
        { [], StatusCode.InvalidArgument, ["names no device IDs", Resource] },
        { ["GPU-missing"], StatusCode.InvalidArgument, ["'GPU-missing'", Resource, "may have been removed"] },
        { [Uuid(0), "GPU-missing"], StatusCode.InvalidArgument, ["'GPU-missing'"] },
        { [Uuid(2)], StatusCode.FailedPrecondition, [$"'{Uuid(2)}'", Resource, "unhealthy", "XID 79"] },
        { [$"{Uuid(0)}::0"], StatusCode.InvalidArgument, ["is not shared", $"its device ID is '{Uuid(0)}'"] },
        { [""], StatusCode.InvalidArgument, ["''", Resource] },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Validate_BadIds_FailsWithCodeNamingIdAndResource(string[] ids, StatusCode code, string[] messageParts)
    {
        var layout = Layout(Many(3), ReplicaPolicy.None, unhealthy: 2);

        var result = DeviceRequestValidator.Validate(ids, layout, Resource, failRequestsGreaterThanOne: false);

        Assert.NotNull(result.Error);
        Assert.Equal(code, result.Error.Code);
        Assert.All(messageParts, part => Assert.Contains(part, result.Error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Duplicates_AreRemovedInOrder()
    {
        var layout = Layout(Many(3), ReplicaPolicy.None);

        var result = DeviceRequestValidator.Validate([Uuid(2), Uuid(0), Uuid(2)], layout, Resource, false);

        Assert.Null(result.Error);
        Assert.Equal([Uuid(2), Uuid(0)], result.Ids);
        Assert.Equal([2, 0], result.Gpus.Select(g => g.Index));
    }

    [Fact]
    public void Validate_Replicas_MapToDistinctPhysicalGpus()
    {
        var layout = Layout(Many(2), Replicas(4));

        var result = DeviceRequestValidator.Validate([$"{Uuid(1)}::3", $"{Uuid(1)}::0", $"{Uuid(0)}::1"], layout, Resource, false);

        Assert.Null(result.Error);
        Assert.Equal([Uuid(1), Uuid(0)], result.Gpus.Select(g => g.Uuid));
    }

    [Fact]
    public void Validate_ReplicaOutOfRange_ExplainsTheValidRange()
    {
        var layout = Layout(Many(1), Replicas(2));

        var result = DeviceRequestValidator.Validate([$"{Uuid(0)}::7"], layout, Resource, false);

        Assert.Equal(StatusCode.InvalidArgument, result.Error?.Code);
        Assert.Contains($"{Uuid(0)}::0 to {Uuid(0)}::1", result.Error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void Validate_FailRequestsGreaterThanOne_RefusesMoreThanOneReplica(int count, bool refused)
    {
        var layout = Layout(Many(2), Replicas(2));
        var ids = new[] { $"{Uuid(0)}::0", $"{Uuid(1)}::0" }.Take(count);

        var result = DeviceRequestValidator.Validate(ids, layout, Resource, failRequestsGreaterThanOne: true);

        Assert.Equal(refused, result.Error is not null);
        if (refused)
        {
            Assert.Contains("FailRequestsGreaterThanOne", result.Error!.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_GpuUnderTheOtherResource_SaysSo()
    {
        var policy = new ReplicaPolicy(1, [new ReplicaOverride { Index = 1, Replicas = 2 }], SeparateSharedResource: true, false, ReplicaPlacement.Distributed);
        var layout = Layout(Many(2), policy);

        var result = DeviceRequestValidator.Validate([$"{Uuid(1)}::0"], layout, Resource, false);

        Assert.Contains("advertised under another resource", result.Error!.Message, StringComparison.Ordinal);
    }

    internal static ReplicaPolicy Replicas(int count, ReplicaPlacement placement = ReplicaPlacement.Distributed) =>
        new(count, [], false, false, placement);

    internal static ResourceLayout Layout(GpuDevice[] gpus, ReplicaPolicy policy, int? unhealthy = null, IEnumerable<GpuLink>? links = null)
    {
        var inventory = new DeviceInventory();
        inventory.SetDevices(gpus, links);
        if (unhealthy is { } index)
        {
            inventory.SetHealth(Uuid(index), DeviceHealth.Unhealthy, "XID 79: GPU has fallen off the bus");
        }

        return ResourceLayout.Build(inventory.Current, new ResourceSettings(Resource, "nvidia-gpu.sock", IsShared: false), policy);
    }
}
