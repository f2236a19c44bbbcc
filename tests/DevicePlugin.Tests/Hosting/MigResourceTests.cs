using Grpc.Core;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Inventory;
using Platform.DevicePlugin.Tests.TestSupport;
using V1Beta1;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Hosting;

/// <summary>Devices that name their own resource (MIG profiles, mixed strategy) against a fake kubelet over real Unix sockets.</summary>
public sealed class MigResourceTests : IDisposable
{
    private const string Small = "nvidia.com/mig-1g.10gb";
    private const string Large = "nvidia.com/mig-3g.40gb";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static GpuDevice Mig(int parent, int mig, string resource) => new()
    {
        Uuid = MigUuid(parent, mig),
        Index = (parent + 1) * 1000 + mig,
        IndexName = $"{parent}:{mig}",
        NumaNode = 0,
        ProductName = "NVIDIA A100-SXM4-80GB",
        DeviceNodes = [$"/dev/nvidia{parent}", $"/dev/nvidia-caps/nvidia-cap{10 + mig}"],
        ResourceName = resource,
    };

    private static string MigUuid(int parent, int mig) => $"MIG-00000000-0000-0000-0000-0000000{parent}00{mig:D2}";

    [Fact]
    public async Task MixedProfiles_EachResourceRegistersOnItsOwnSocketWithItsDevices()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, [Gpu(0), Mig(1, 0, Small), Mig(1, 1, Small), Mig(1, 2, Large)]);

        var connections = new Dictionary<string, PluginConnection>();
        for (var i = 0; i < 3; i++)
        {
            var connection = await kubelet.NextRegistrationAsync();
            connections.Add(connection.Request.ResourceName, connection);
        }

        Assert.Equal(["nvidia.com/gpu", Small, Large], connections.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("nvidia-mig-1g.10gb.sock", connections[Small].Request.Endpoint);
        Assert.Equal("nvidia-mig-3g.40gb.sock", connections[Large].Request.Endpoint);
        Assert.Equal([Uuid(0)], (await connections["nvidia.com/gpu"].NextListAsync()).Devices.Select(d => d.ID));
        Assert.Equal([MigUuid(1, 0), MigUuid(1, 1)], (await connections[Small].NextListAsync()).Devices.Select(d => d.ID));
        Assert.Equal([MigUuid(1, 2)], (await connections[Large].NextListAsync()).Devices.Select(d => d.ID));
        Assert.True(File.Exists(_dir.File("nvidia-mig-1g.10gb.sock")));

        // The kubelet sees a registration before the plugin has its answer: wait for all three to be recorded.
        var registered = new HashSet<string>(StringComparer.Ordinal);
        while (registered.Count < 3)
        {
            registered.Add((await plugin.Events.WaitForAsync<PluginRegistered>()).ResourceName);
        }

        Assert.True(plugin.Status.AllRegistered);
    }

    [Fact]
    public async Task Allocate_MigDevice_VisibleDevicesCapabilityNodesAndCdiNames()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, [Mig(0, 0, Small), Mig(0, 1, Small)], new Dictionary<string, string?>
        {
            ["DevicePlugin:AllocateStrategies"] = "envvar,device-specs,cdi",
            ["DevicePlugin:ControlDeviceNodes"] = "/dev/nvidiactl",
            ["DevicePlugin:HostRoot"] = _dir.Path,
        });
        var first = await kubelet.NextRegistrationAsync();
        var second = await kubelet.NextRegistrationAsync();
        var mig = first.Request.ResourceName == Small ? first : second;
        await mig.NextListAsync();

        var response = await mig.Client.AllocateAsync(Request(MigUuid(0, 1))).ResponseAsync.DefaultTimeout();
        var wrongResource = await Assert.ThrowsAsync<RpcException>(() => mig.Client.AllocateAsync(Request(Uuid(0))).ResponseAsync.DefaultTimeout());

        var container = response.ContainerResponses.Single();
        Assert.Equal(MigUuid(0, 1), container.Envs["NVIDIA_VISIBLE_DEVICES"]);
        Assert.Equal(["/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap11"], container.Devices.Select(d => d.HostPath));
        Assert.Equal([$"nvidia.com/gpu={MigUuid(0, 1)}"], container.CdiDevices.Select(c => c.Name));
        Assert.Equal(StatusCode.InvalidArgument, wrongResource.StatusCode);
    }

    [Fact]
    public async Task Allocate_IndexStrategy_NamesMigDeviceAsGpuColonMig()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, [Mig(2, 3, Small) with { ResourceName = null }], new Dictionary<string, string?>
        {
            ["DevicePlugin:DeviceIdStrategy"] = "index",
        });
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();

        var response = await connection.Client.AllocateAsync(Request(MigUuid(2, 3))).ResponseAsync.DefaultTimeout();

        Assert.Equal("nvidia.com/gpu", connection.Request.ResourceName);
        Assert.Equal("2:3", response.ContainerResponses.Single().Envs["NVIDIA_VISIBLE_DEVICES"]);
    }

    [Fact]
    public async Task Health_UnhealthyMigDevice_ReachesItsOwnResourceOnly()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, [Gpu(0), Mig(1, 0, Small)]);
        var first = await kubelet.NextRegistrationAsync();
        var second = await kubelet.NextRegistrationAsync();
        var mig = first.Request.ResourceName == Small ? first : second;
        await mig.NextListAsync();

        plugin.Inventory.SetHealth(MigUuid(1, 0), DeviceHealth.Unhealthy, "xid-79");
        var list = await mig.ListMatchingAsync(l => l.Devices.Any(d => d.Health == "Unhealthy"));

        Assert.Equal([MigUuid(1, 0)], list.Devices.Select(d => d.ID));
    }

    [Theory]
    [InlineData("nvidia.com/")]
    [InlineData("/mig-1g.10gb")]
    [InlineData("mig 1g")]
    [InlineData("nvidia.com/a,b")]
    public void SetDevices_InvalidResourceName_Rejected(string resource)
    {
        var inventory = new DeviceInventory();
        var error = Assert.Throws<ArgumentException>(() => inventory.SetDevices([Mig(0, 0, resource)]));
        Assert.Contains("ResourceName", error.Message, StringComparison.Ordinal);
    }

    private static AllocateRequest Request(params string[] ids) =>
        new() { ContainerRequests = { new ContainerAllocateRequest { DevicesIds = { ids } } } };
}
