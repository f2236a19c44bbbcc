using Platform.DevicePlugin.Tests.TestSupport;
using V1Beta1;

namespace Platform.NodeAgent.Tests.FakeDriver;

/// <summary>
/// The agent's MIG bindings (nvmlDeviceGetMaxMigDeviceCount, ...GetMigDeviceHandleByIndex, ...GetGpuInstanceId,
/// ...GetComputeInstanceId, ...GetAttributes_v2, ...GetGpuInstanceById, nvmlGpuInstanceGetInfo, MIG event
/// attribution) against the fake driver with <c>FAKE_NVML_MIG=1</c>: two H200s, each with a 3g.71gb and a
/// 1g.18gb+me MIG device (GPU instances 2 and 9) and a gap at MIG index 1.
/// </summary>
public sealed class FakeDriverMigTests : IAsyncLifetime
{
    private const string Large = "nvidia.com/mig-3g.71gb";
    private const string Small = "nvidia.com/mig-1g.18gb.me";

    private readonly DirectoryInfo _kubeletDirectory = Directory.CreateDirectory(Path.Combine("/tmp", "fmig-" + Guid.NewGuid().ToString("N")[..8]));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _kubeletDirectory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static string Mig(int gpu, int index) => $"MIG-fa4e0000-0000-4000-8000-00000000{gpu:x2}{index:x2}";

    private string[] Options(string strategy) =>
    [
        "--Gpu:Driver=nvml",
        $"--Mig:Strategy={strategy}",
        "--Kubernetes:Enabled=false",
        "--Metrics:PodAttribution=false",
        "--Metrics:SampleInterval=00:00:00.200",
        "--DevicePlugin:AllocateStrategies=envvar,device-specs",
        "--DevicePlugin:ControlDeviceNodes=/dev/nvidiactl",
        $"--DevicePlugin:KubeletDirectory={_kubeletDirectory.FullName}",
        .. FakeNvidiaDriver.AgentOptions,
    ];

    [FakeDriverFact]
    public async Task Mixed_OnTheDriver_AdvertisesProfilesWithCapabilityNodesAndAttributesInstanceXids()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_kubeletDirectory.FullName);
        var xidFile = Path.Combine(FakeNvidiaDriver.Root, $"xid-{Guid.NewGuid():N}");
        var (agent, http) = await AgentProcess.StartAsync(Options("mixed"), new Dictionary<string, string> { ["FAKE_NVML_MIG"] = "1", ["FAKE_NVML_XID_FILE"] = xidFile });
        await using var _ = agent;
        using var __ = http;

        var plugins = new Dictionary<string, PluginConnection>();
        for (var i = 0; i < 3; i++)
        {
            var connection = await kubelet.NextRegistrationAsync();
            plugins[connection.Request.ResourceName] = connection;
        }

        var large = await plugins[Large].ListMatchingAsync(l => l.Devices.Count == 2);
        var small = await plugins[Small].ListMatchingAsync(l => l.Devices.Count == 2);
        var request = new AllocateRequest();
        request.ContainerRequests.Add(new ContainerAllocateRequest { DevicesIds = { Mig(1, 2) } });
        var allocated = (await plugins[Small].Client.AllocateAsync(request).ResponseAsync.DefaultTimeout()).ContainerResponses.Single();

        // An XID NVML attributes to GPU instance 9 of GPU 1 faults that 1g.18gb+me device only.
        await File.WriteAllTextAsync(xidFile + ".tmp", "1 94 9");
        File.Move(xidFile + ".tmp", xidFile);
        var afterXid = await plugins[Small].ListMatchingAsync(l => l.Devices.Any(d => d.Health == "Unhealthy"));
        var metrics = await http.GetStringAsync("/metrics").DefaultTimeout();
        var exitCode = await agent.TerminateAsync();

        Assert.Equal(["nvidia.com/gpu", Small, Large], plugins.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([Mig(0, 0), Mig(1, 0)], large.Devices.Select(d => d.ID));
        Assert.Equal([Mig(0, 2), Mig(1, 2)], small.Devices.Select(d => d.ID));
        Assert.Equal(Mig(1, 2), allocated.Envs["NVIDIA_VISIBLE_DEVICES"]);
        Assert.Equal(
            ["/dev/nvidia1", $"/dev/nvidia-caps/nvidia-cap{FakeNvidiaDriver.MigCapabilityMinor(1, 9, null)}", $"/dev/nvidia-caps/nvidia-cap{FakeNvidiaDriver.MigCapabilityMinor(1, 9, 0)}"],
            allocated.Devices.Select(d => d.HostPath));
        Assert.Equal([Mig(1, 2)], afterXid.Devices.Where(d => d.Health == "Unhealthy").Select(d => d.ID));
        Assert.Contains("GPU_I_PROFILE=\"1g.18gb+me\",GPU_I_ID=\"9\"", metrics, StringComparison.Ordinal);
        // The MIG device's own framebuffer (the fake: 100 MiB per MIG index plus one, of 16384).
        Assert.Matches("DCGM_FI_DEV_FB_USED\\{gpu=\"1\",[^}]*GPU_I_PROFILE=\"1g.18gb\\+me\"[^}]*\\} 300\\n", metrics);
        Assert.Matches("DCGM_FI_DEV_FB_FREE\\{gpu=\"0\",[^}]*GPU_I_PROFILE=\"3g.71gb\",GPU_I_ID=\"2\"[^}]*\\} 69532\\n", metrics);
        Assert.Equal(0, exitCode);
    }

    [FakeDriverFact]
    public async Task None_OnAMigDriver_WholeGpusAndMigCapableNode()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_kubeletDirectory.FullName);
        var (agent, http) = await AgentProcess.StartAsync(Options("none"), new Dictionary<string, string> { ["FAKE_NVML_MIG"] = "1" });
        await using var _ = agent;
        using var __ = http;

        var plugin = await kubelet.NextRegistrationAsync();
        var list = await plugin.ListMatchingAsync(l => l.Devices.Count == 2);
        var ready = await http.GetStringAsync("/readyz").DefaultTimeout();

        Assert.Equal("nvidia.com/gpu", plugin.Request.ResourceName);
        Assert.All(list.Devices, d => Assert.StartsWith("GPU-fa4e0000", d.ID, StringComparison.Ordinal));
        Assert.Contains("strategy none: 0 MIG devices advertised", ready, StringComparison.Ordinal);
    }
}
