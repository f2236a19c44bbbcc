using Grpc.Core;
using Platform.DevicePlugin.Allocation;
using Platform.DevicePlugin.Configuration;
using static Platform.DevicePlugin.Tests.Allocation.DeviceRequestValidatorTests;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Allocation;

public sealed class PreferredRequestValidatorTests
{
    private const string Resource = "nvidia.com/gpu";

    public static TheoryData<string[], string[], int, string[]> Impossible => new()
    {
        // available, must include, size, parts of the message
        { [Uuid(0), Uuid(1)], [], 3, ["allocation_size 3 is more than the 2 available devices", Resource] },
        { [Uuid(0), Uuid(1)], [Uuid(2)], 2, [$"must_include_deviceIDs '{Uuid(2)}' is not in available_deviceIDs"] },
        { [Uuid(0), Uuid(1), Uuid(2)], [Uuid(0), Uuid(1)], 1, ["names 2 devices, more than allocation_size 1"] },
        { [Uuid(0), "GPU-gone"], [], 1, ["'GPU-gone' is not a device of this resource on this node (3 devices advertised)"] },
        { [Uuid(0)], ["GPU-x", "GPU-y"], 2, ["'GPU-x', 'GPU-y' are not devices"] },
        { [Uuid(0), Uuid(1), Uuid(0)], [], 1, [$"available_deviceIDs names '{Uuid(0)}' more than once"] },
        { [Uuid(0), Uuid(1)], [Uuid(1), Uuid(1)], 2, [$"must_include_deviceIDs names '{Uuid(1)}' more than once"] },
        { [Uuid(0)], [], 0, ["allocation_size is 0; it must be at least 1"] },
        { [Uuid(0)], [], -4, ["allocation_size is -4"] },
        { [], [], 1, ["allocation_size 1 is more than the 0 available devices"] },
    };

    [Theory]
    [MemberData(nameof(Impossible))]
    public void Validate_ImpossibleRequest_IsInvalidArgumentNamingWhy(string[] available, string[] must, int size, string[] parts)
    {
        var layout = Layout(Many(3), ReplicaPolicy.None);

        var error = PreferredRequestValidator.Validate(available, must, size, layout, Resource);

        Assert.NotNull(error);
        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.All(parts, part => Assert.Contains(part, error.Message, StringComparison.Ordinal));
    }

    public static TheoryData<string[], string[], int> Possible => new()
    {
        { [Uuid(0), Uuid(1), Uuid(2)], [], 1 },
        { [Uuid(0), Uuid(1), Uuid(2)], [], 3 },
        { [Uuid(0), Uuid(1), Uuid(2)], [Uuid(2)], 1 },
        { [Uuid(0), Uuid(1), Uuid(2)], [Uuid(2), Uuid(0)], 3 },
    };

    [Theory]
    [MemberData(nameof(Possible))]
    public void Validate_PossibleRequest_Passes(string[] available, string[] must, int size)
    {
        var layout = Layout(Many(3), ReplicaPolicy.None);

        Assert.Null(PreferredRequestValidator.Validate(available, must, size, layout, Resource));
    }

    [Fact]
    public void Validate_TenThousandUnknownLongIds_NamesThreeAndCountsTheRestWithinOneKiB()
    {
        var layout = Layout(Many(3), ReplicaPolicy.None);
        var ids = Enumerable.Range(0, 10_000).Select(i => $"GPU-{i:D6}-" + new string('x', 300)).ToArray();

        var error = PreferredRequestValidator.Validate(ids, [], 1, layout, Resource);

        Assert.NotNull(error);
        Assert.Contains("… and 9,997 more are not devices", error.Message, StringComparison.Ordinal);
        Assert.Contains("(311 characters)", error.Message, StringComparison.Ordinal);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(error.ToRpcException().Status.Detail) <= DeviceIdText.MaxMessageBytes);
    }
}
