using Grpc.Core;
using Microsoft.Extensions.Options;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Inventory;
using Platform.DevicePlugin.Tests.TestSupport;
using V1Beta1;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Hosting;

/// <summary>The plugin end to end against a fake kubelet over real Unix sockets.</summary>
public sealed class DevicePluginHostTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Start_KubeletRunning_RegistersAndStreamsAllDevices()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, [Gpu(0, numa: 0), Gpu(1, numa: 1)]);

        var connection = await kubelet.NextRegistrationAsync();
        var list = await connection.NextListAsync();

        Assert.Equal("v1beta1", connection.Request.Version);
        Assert.Equal("nvidia-gpu.sock", connection.Request.Endpoint);
        Assert.Equal("nvidia.com/gpu", connection.Request.ResourceName);
        Assert.True(connection.Request.Options.GetPreferredAllocationAvailable);
        Assert.False(connection.Options.PreStartRequired);
        Assert.Equal([Uuid(0), Uuid(1)], list.Devices.Select(d => d.ID));
        Assert.All(list.Devices, d => Assert.Equal("Healthy", d.Health));
        Assert.Equal([0L, 1L], list.Devices.Select(d => d.Topology.Nodes.Single().ID));
        Assert.True(File.Exists(_dir.File("nvidia-gpu.sock")));
        var registered = await plugin.Events.WaitForAsync<PluginRegistered>();
        Assert.Equal("start", registered.Trigger);
        Assert.True(plugin.Status.AllRegistered);
    }

    [Fact]
    public async Task HealthChange_ReachesTheStream_AndRecovers()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(2));
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();

        plugin.Inventory.SetHealth(Uuid(1), DeviceHealth.Unhealthy, "XID 79");
        var unhealthy = await connection.ListMatchingAsync(l => l.Devices.Any(d => d.Health == "Unhealthy"));
        plugin.Inventory.SetHealth(Uuid(1), DeviceHealth.Healthy);
        var recovered = await connection.ListMatchingAsync(l => l.Devices.All(d => d.Health == "Healthy"));

        Assert.Equal(Uuid(1), unhealthy.Devices.Single(d => d.Health == "Unhealthy").ID);
        Assert.Equal(2, unhealthy.Devices.Count);
        Assert.Equal(2, recovered.Devices.Count);
    }

    [Fact]
    public async Task Allocate_HappyPathAndErrors_OverTheWire()
    {
        using var hostRoot = new TempDirectory();
        Directory.CreateDirectory(hostRoot.File("dev"));
        await File.WriteAllTextAsync(hostRoot.File("dev/nvidiactl"), string.Empty);
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(3), new Dictionary<string, string?>
        {
            ["DevicePlugin:AllocateStrategies"] = "envvar,device-specs,cdi",
            ["DevicePlugin:HostRoot"] = hostRoot.Path,
            ["DevicePlugin:ExtraEnvironment:CUDA_DEVICE_ORDER"] = "PCI_BUS_ID",
        });
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();
        plugin.Inventory.SetHealth(Uuid(2), DeviceHealth.Unhealthy, "XID 48: double-bit ECC error");

        var ok = await connection.Client.AllocateAsync(Request(Uuid(1), Uuid(0), Uuid(1))).ResponseAsync.DefaultTimeout();
        var unknown = await Assert.ThrowsAsync<RpcException>(() => connection.Client.AllocateAsync(Request("GPU-nope")).ResponseAsync.DefaultTimeout());
        var unhealthy = await Assert.ThrowsAsync<RpcException>(() => connection.Client.AllocateAsync(Request(Uuid(0), Uuid(2))).ResponseAsync.DefaultTimeout());

        var container = ok.ContainerResponses.Single();
        Assert.Equal($"{Uuid(1)},{Uuid(0)}", container.Envs["NVIDIA_VISIBLE_DEVICES"]);
        Assert.Equal("PCI_BUS_ID", container.Envs["CUDA_DEVICE_ORDER"]);
        Assert.Equal(["/dev/nvidia1", "/dev/nvidia0", "/dev/nvidiactl"], container.Devices.Select(d => d.HostPath));
        Assert.Equal([$"nvidia.com/gpu={Uuid(1)}", $"nvidia.com/gpu={Uuid(0)}"], container.CdiDevices.Select(c => c.Name));
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains("'GPU-nope'", unknown.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("'nvidia.com/gpu'", unknown.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.FailedPrecondition, unhealthy.StatusCode);
        Assert.Contains(Uuid(2), unhealthy.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("double-bit ECC", unhealthy.Status.Detail, StringComparison.Ordinal);
        var allocated = await plugin.Events.WaitForAsync<DevicesAllocated>();
        Assert.Equal([Uuid(1), Uuid(0)], allocated.VisibleDevices);
    }

    public static TheoryData<string, string[][], StatusCode, string> AllocateErrors => new()
    {
        // replicas per GPU, container requests, expected status, message fragment
        { "1", [["GPU-unknown"]], StatusCode.InvalidArgument, "device 'GPU-unknown' is not a device of resource 'nvidia.com/gpu'" },
        { "1", [[Uuid(1)]], StatusCode.FailedPrecondition, $"device '{Uuid(1)}' of resource 'nvidia.com/gpu' (GPU 1, {Uuid(1)}) is unhealthy: XID 79" },
        { "1", [[]], StatusCode.InvalidArgument, "the request for resource 'nvidia.com/gpu' names no device IDs" },
        { "1", [], StatusCode.InvalidArgument, "has no container requests" },
        { "1", [[Uuid(0)], ["GPU-unknown"]], StatusCode.InvalidArgument, "'GPU-unknown'" },
        { "1", [[$"{Uuid(0)}::0"]], StatusCode.InvalidArgument, $"GPU {Uuid(0)} is not shared, its device ID is '{Uuid(0)}'" },
        { "2", [[$"{Uuid(0)}::5"]], StatusCode.InvalidArgument, $"advertised as replicas {Uuid(0)}::0 to {Uuid(0)}::1" },
        { "2", [[$"{Uuid(0)}::0", $"{Uuid(0)}::1"]], StatusCode.InvalidArgument, "FailRequestsGreaterThanOne allows at most 1" },
    };

    [Theory]
    [MemberData(nameof(AllocateErrors))]
    public async Task Allocate_EveryError_OverTheWire_IsPreciseAndReported(string replicas, string[][] containers, StatusCode code, string fragment)
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(2), new Dictionary<string, string?>
        {
            ["DevicePlugin:Sharing:Replicas"] = replicas,
            ["DevicePlugin:Sharing:FailRequestsGreaterThanOne"] = "true",
        });
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();
        plugin.Inventory.SetHealth(Uuid(1), DeviceHealth.Unhealthy, "XID 79");
        var request = new AllocateRequest();
        foreach (var ids in containers)
        {
            request.ContainerRequests.Add(new ContainerAllocateRequest { DevicesIds = { ids } });
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => connection.Client.AllocateAsync(request).ResponseAsync.DefaultTimeout());
        var rejected = await plugin.Events.WaitForAsync<AllocationRejected>();

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(fragment, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(code.ToString(), rejected.StatusCode);
        Assert.Equal(error.Status.Detail, rejected.Message);
    }

    [Fact]
    public async Task PreferredAllocation_OverTheWire_UsesTopologyKeepsMustIncludeAndSurvivesMissingTopology()
    {
        var devices = new[] { Gpu(0, numa: 0), Gpu(1, numa: 0), Gpu(2, numa: 1), Gpu(3, numa: 1), Gpu(4, numa: null) };
        var links = new[] { Link(0, 2, GpuInterconnect.NvLink, 12), Link(1, 3, GpuInterconnect.NvLink, 12) };
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, devices, links: links);
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();
        var all = devices.Select(d => d.Uuid).ToArray();

        var best = await Preferred(connection, all, [], 2);
        var withMust = await Preferred(connection, all, [Uuid(3)], 2);
        var lacking = await Preferred(connection, [Uuid(4), Uuid(0)], [Uuid(4)], 2);

        Assert.Equal([Uuid(0), Uuid(2)], best.Order());
        Assert.Equal([Uuid(1), Uuid(3)], withMust.Order());
        Assert.Equal([Uuid(0), Uuid(4)], lacking.Order());
    }

    [Fact]
    public async Task Replicas_AdvertisedAsUuidSuffix_AllocateMapsToThePhysicalGpu()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(2), new Dictionary<string, string?>
        {
            ["DevicePlugin:Sharing:Replicas"] = "2",
            ["DevicePlugin:Sharing:Devices:0:Index"] = "1",
            ["DevicePlugin:Sharing:Devices:0:Replicas"] = "3",
        });
        var connection = await kubelet.NextRegistrationAsync();
        var list = await connection.NextListAsync();

        var response = await connection.Client.AllocateAsync(Request($"{Uuid(1)}::0", $"{Uuid(1)}::2")).ResponseAsync.DefaultTimeout();

        Assert.Equal([$"{Uuid(0)}::0", $"{Uuid(0)}::1", $"{Uuid(1)}::0", $"{Uuid(1)}::1", $"{Uuid(1)}::2"], list.Devices.Select(d => d.ID));
        Assert.Equal(Uuid(1), response.ContainerResponses.Single().Envs["NVIDIA_VISIBLE_DEVICES"]);
        var sent = await plugin.Events.WaitForAsync<DeviceListSent>();
        Assert.Equal((2, 5), (sent.Gpus, sent.Healthy));
    }

    [Fact]
    public async Task SharedResourceName_ServesTwoResourcesOnTwoSockets()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(2), new Dictionary<string, string?>
        {
            ["DevicePlugin:Sharing:SharedResourceName"] = "nvidia.com/shared-gpu",
            ["DevicePlugin:Sharing:Devices:0:Uuid"] = Uuid(1),
            ["DevicePlugin:Sharing:Devices:0:Replicas"] = "4",
        });
        var first = await kubelet.NextRegistrationAsync();
        var second = await kubelet.NextRegistrationAsync();
        var byName = new[] { first, second }.ToDictionary(c => c.Request.ResourceName);

        var whole = await byName["nvidia.com/gpu"].NextListAsync();
        var shared = await byName["nvidia.com/shared-gpu"].NextListAsync();

        Assert.Equal("nvidia-shared-gpu.sock", byName["nvidia.com/shared-gpu"].Request.Endpoint);
        Assert.Equal([Uuid(0)], whole.Devices.Select(d => d.ID));
        Assert.Equal(4, shared.Devices.Count);
        Assert.All(shared.Devices, d => Assert.StartsWith(Uuid(1) + "::", d.ID, StringComparison.Ordinal));
        // Four device IDs with one GPU behind them: the GPU count is what the node agent sets against discovery.
        var sentFirst = await plugin.Events.WaitForAsync<DeviceListSent>();
        var sentSecond = await plugin.Events.WaitForAsync<DeviceListSent>(e => e.ResourceName != sentFirst.ResourceName);
        var sent = new[] { sentFirst, sentSecond }.ToDictionary(e => e.ResourceName);
        Assert.Equal((1, 1), (sent["nvidia.com/gpu"].Gpus, sent["nvidia.com/gpu"].Healthy));
        Assert.Equal((1, 4, 0), (sent["nvidia.com/shared-gpu"].Gpus, sent["nvidia.com/shared-gpu"].Healthy, sent["nvidia.com/shared-gpu"].Unhealthy));
    }

    [Fact]
    public async Task KubeletRestart_SocketsDeletedAndKubeletSockRecreated_ReRegistersWithoutRediscovery()
    {
        var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(2));
        var before = await kubelet.NextRegistrationAsync();
        await before.NextListAsync();
        var version = plugin.Inventory.Current.Version;

        // What a starting kubelet does: every socket in the directory goes, then a new kubelet.sock appears.
        await kubelet.DisposeAsync();
        foreach (var file in Directory.GetFiles(_dir.Path))
        {
            File.Delete(file);
        }

        await using var restarted = await FakeKubelet.StartAsync(_dir.Path);
        var after = await restarted.NextRegistrationAsync();
        var list = await after.NextListAsync();
        var response = await after.Client.AllocateAsync(Request(Uuid(0))).ResponseAsync.DefaultTimeout();

        Assert.Equal(2, list.Devices.Count);
        Assert.Equal(Uuid(0), response.ContainerResponses.Single().Envs["NVIDIA_VISIBLE_DEVICES"]);
        Assert.Equal(version, plugin.Inventory.Current.Version);
        Assert.True(File.Exists(_dir.File("nvidia-gpu.sock")));
        var reRegistered = await plugin.Events.WaitForAsync<PluginRegistered>(e => e.Trigger != "start");
        Assert.Contains(reRegistered.Trigger, new[] { "kubelet-restart", "socket-removed" });
    }

    [Fact]
    public async Task KubeletStartsAfterThePlugin_RegistersWhenKubeletSockAppears()
    {
        // Retries far apart: only the directory watcher can bring the registration in time.
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(1), new Dictionary<string, string?>
        {
            ["DevicePlugin:RegistrationInitialBackoff"] = "00:10:00",
            ["DevicePlugin:RegistrationMaxBackoff"] = "00:10:00",
        });
        var failed = await plugin.Events.WaitForAsync<RegistrationFailed>();

        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        var connection = await kubelet.NextRegistrationAsync();
        var list = await connection.NextListAsync();
        var registered = await plugin.Events.WaitForAsync<PluginRegistered>();

        Assert.Equal(1, failed.Attempt);
        Assert.Equal("kubelet-restart", registered.Trigger);
        Assert.Equal(Uuid(0), list.Devices.Single().ID);
        Assert.True(plugin.Status.AllRegistered);
    }

    [Fact]
    public async Task KubeletSockRecreatedAfterRegistration_RegistersAgainIdempotently()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(1));
        var first = await kubelet.NextRegistrationAsync();
        await first.NextListAsync();

        // The kubelet re-creating its socket while our socket survives (the race seen in the wild).
        await using var second = await FakeKubelet.StartAsync(_dir.Path);
        var again = await second.NextRegistrationAsync();
        var list = await again.NextListAsync();

        Assert.Equal("nvidia-gpu.sock", again.Request.Endpoint);
        Assert.Single(list.Devices);
    }

    [Fact]
    public async Task Stop_RemovesItsSocketAndEndsStreams()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        var plugin = await PluginHarness.StartAsync(_dir.Path, Many(1));
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();

        await plugin.DisposeAsync();
        await connection.StreamEnded.WaitAsync(TaskTimeoutExtensions.Timeout).ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.False(File.Exists(_dir.File("nvidia-gpu.sock")));
        Assert.True(connection.StreamEnded.IsCompleted);
        Assert.Contains(plugin.Events.All, e => e is PluginStopped);
        Assert.Contains(plugin.Events.All, e => e is ListAndWatchClosed { Reason: "plugin-stopping" });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PreStartContainer_NoOpUnlessConfigured_ThenRefusesUnhealthyGpus(bool preStartCheck)
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(2), new Dictionary<string, string?>
        {
            ["DevicePlugin:PreStartCheck"] = preStartCheck ? "true" : "false",
        });
        var connection = await kubelet.NextRegistrationAsync();
        await connection.NextListAsync();
        plugin.Inventory.SetHealth(Uuid(1), DeviceHealth.Unhealthy, "XID 79");

        var healthy = await connection.Client.PreStartContainerAsync(new PreStartContainerRequest { DevicesIds = { Uuid(0) } }).ResponseAsync.DefaultTimeout();
        var call = connection.Client.PreStartContainerAsync(new PreStartContainerRequest { DevicesIds = { Uuid(1) } }).ResponseAsync.DefaultTimeout();

        Assert.NotNull(healthy);
        Assert.Equal(preStartCheck, connection.Request.Options.PreStartRequired);
        if (preStartCheck)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => call);
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.Contains(Uuid(1), error.Status.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.NotNull(await call);
        }
    }

    [Fact]
    public async Task MissingDirectory_IsCreated_AndRegistrationFollowsTheKubelet()
    {
        var directory = _dir.File("device-plugins");
        await using var plugin = await PluginHarness.StartAsync(directory, Many(1));
        await plugin.Events.WaitForAsync<RegistrationFailed>();

        await using var kubelet = await FakeKubelet.StartAsync(directory);
        var connection = await kubelet.NextRegistrationAsync();

        Assert.True(Directory.Exists(directory));
        Assert.Single((await connection.NextListAsync()).Devices);
    }

    [Fact]
    public async Task EmptyInventory_IsNotRegisteredUntilTheAgentSetsDevices()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, devices: null);
        var registration = kubelet.NextRegistrationAsync();
        Assert.False(registration.IsCompleted);
        Assert.False(File.Exists(_dir.File("nvidia-gpu.sock")));

        plugin.Inventory.SetDevices(Many(2));
        var connection = await registration;

        Assert.Equal(2, (await connection.NextListAsync()).Devices.Count);
    }

    [Fact]
    public async Task StaleSocket_IsRemovedBeforeListening()
    {
        await File.WriteAllTextAsync(_dir.File("nvidia-gpu.sock"), "stale");
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(1));

        var connection = await kubelet.NextRegistrationAsync();

        Assert.Single((await connection.NextListAsync()).Devices);
    }

    [Fact]
    public async Task InvalidConfiguration_StopsStartWithEveryError()
    {
        var events = new RecordingObserver();
        using var host = PluginHarness.Build(_dir.Path, new Dictionary<string, string?>
        {
            ["DevicePlugin:ResourceName"] = "gpu",
            ["DevicePlugin:DeviceIdStrategy"] = "serial",
        }, null, events);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().DefaultTimeout());

        Assert.Contains(error.Failures, f => f.Contains("DevicePlugin:ResourceName", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("DevicePlugin:DeviceIdStrategy", StringComparison.Ordinal));
    }

    private static AllocateRequest Request(params string[] ids) =>
        new() { ContainerRequests = { new ContainerAllocateRequest { DevicesIds = { ids } } } };

    private static async Task<IReadOnlyList<string>> Preferred(PluginConnection connection, string[] available, string[] must, int size)
    {
        var request = new PreferredAllocationRequest
        {
            ContainerRequests =
            {
                new ContainerPreferredAllocationRequest { AvailableDeviceIDs = { available }, MustIncludeDeviceIDs = { must }, AllocationSize = size },
            },
        };
        var response = await connection.Client.GetPreferredAllocationAsync(request).ResponseAsync.DefaultTimeout();
        return response.ContainerResponses.Single().DeviceIDs;
    }
}
