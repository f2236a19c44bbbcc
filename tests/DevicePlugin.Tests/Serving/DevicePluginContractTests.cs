using System.Text;
using Grpc.Core;
using Platform.DevicePlugin.Allocation;
using Platform.DevicePlugin.Tests.TestSupport;
using V1Beta1;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Serving;

/// <summary>
/// The kubelet-facing contract over the real Unix socket: bounded error messages whatever the request holds
/// (a status over the caller's header limit breaks its connection), and GetPreferredAllocation answers
/// exactly allocation_size devices from available, or refuses an impossible request with InvalidArgument.
/// </summary>
public sealed class DevicePluginContractTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TenThousandLongIds_EveryErrorStaysUnderOneKiB_AndTheConnectionKeepsWorking()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(2), new Dictionary<string, string?> { ["DevicePlugin:PreStartCheck"] = "true" });
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();
        var ids = Enumerable.Range(0, 10_000).Select(i => $"GPU-{i:D5}-" + new string('z', 200)).ToArray();

        var allocate = await Assert.ThrowsAsync<RpcException>(() => connection.Client.AllocateAsync(
            new AllocateRequest { ContainerRequests = { new ContainerAllocateRequest { DevicesIds = { ids } } } }).ResponseAsync.DefaultTimeout());
        var preferred = await Assert.ThrowsAsync<RpcException>(() => connection.Client.GetPreferredAllocationAsync(
            PreferredRequest(ids, [], 2)).ResponseAsync.DefaultTimeout());
        var preStart = await Assert.ThrowsAsync<RpcException>(() => connection.Client.PreStartContainerAsync(
            new PreStartContainerRequest { DevicesIds = { ids } }).ResponseAsync.DefaultTimeout());
        var after = await connection.Client.GetPreferredAllocationAsync(PreferredRequest([Uuid(0), Uuid(1)], [], 1)).ResponseAsync.DefaultTimeout();

        Assert.All(new[] { allocate, preferred }, e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
        Assert.All(new[] { allocate, preferred }, e => Assert.True(Encoding.UTF8.GetByteCount(e.Status.Detail) <= DeviceIdText.MaxMessageBytes, e.Status.Detail));
        Assert.Contains("(the request names 10,000 device IDs)", allocate.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("… and 9,997 more are not devices", preferred.Status.Detail, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(preStart.Status.Detail) <= DeviceIdText.MaxMessageBytes);
        Assert.Single(after.ContainerResponses.Single().DeviceIDs);
    }

    public static TheoryData<string[], string[], int, string> ImpossiblePreferred => new()
    {
        { [Uuid(0), Uuid(1)], [], 3, "allocation_size 3 is more than the 2 available devices" },
        { [Uuid(0)], [Uuid(1)], 1, "is not in available_deviceIDs" },
        { [Uuid(0), Uuid(1)], [Uuid(0), Uuid(1)], 1, "more than allocation_size 1" },
        { [Uuid(0), "GPU-unknown"], [], 1, "'GPU-unknown' is not a device" },
        { [Uuid(0), Uuid(0)], [], 1, "more than once" },
        { [Uuid(0)], [], 0, "allocation_size is 0" },
    };

    [Theory]
    [MemberData(nameof(ImpossiblePreferred))]
    public async Task PreferredAllocation_ImpossibleRequest_IsInvalidArgumentNamingWhy(string[] available, string[] must, int size, string fragment)
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(2));
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => connection.Client.GetPreferredAllocationAsync(PreferredRequest(available, must, size)).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(fragment, error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("nvidia.com/gpu", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreferredAllocation_WithUnhealthyOffered_AnswersExactlyTheSize()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(3));
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();
        plugin.Inventory.SetHealth(Uuid(1), Platform.DevicePlugin.Inventory.DeviceHealth.Unhealthy, "XID 79");

        var response = await connection.Client.GetPreferredAllocationAsync(PreferredRequest([Uuid(1), Uuid(2)], [], 2)).ResponseAsync.DefaultTimeout();

        Assert.Equal([Uuid(1), Uuid(2)], response.ContainerResponses.Single().DeviceIDs.Order());
    }

    private static PreferredAllocationRequest PreferredRequest(string[] available, string[] must, int size) => new()
    {
        ContainerRequests =
        {
            new ContainerPreferredAllocationRequest { AvailableDeviceIDs = { available }, MustIncludeDeviceIDs = { must }, AllocationSize = size },
        },
    };
}
