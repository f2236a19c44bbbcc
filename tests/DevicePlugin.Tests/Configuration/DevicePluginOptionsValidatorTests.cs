using Platform.DevicePlugin.Configuration;

namespace Platform.DevicePlugin.Tests.Configuration;

public sealed class DevicePluginOptionsValidatorTests
{
    private readonly DevicePluginOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_AreValidAndMatchNvidia()
    {
        var options = new DevicePluginOptions();

        var result = _validator.Validate(null, options);
        var settings = DevicePluginOptionsValidator.ParseOrThrow(options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("/var/lib/kubelet/device-plugins", settings.KubeletDirectory);
        Assert.Equal(new ResourceSettings("nvidia.com/gpu", "nvidia-gpu.sock", false), settings.Primary);
        Assert.Null(settings.Shared);
        Assert.Equal(AllocateStrategies.EnvVar, settings.Strategies);
        Assert.Equal(DeviceIdStrategy.Uuid, settings.IdStrategy);
        Assert.Equal("NVIDIA_VISIBLE_DEVICES", settings.VisibleDevicesEnvVar);
        Assert.Equal(4, settings.ControlDeviceNodes.Count);
        Assert.True(settings.PreferredAllocation);
        Assert.False(settings.PreStartCheck);
        Assert.Equal(1, settings.Replicas.DefaultReplicas);
        Assert.Equal(ReplicaPlacement.Distributed, settings.Replicas.Placement);
    }

    public static TheoryData<Action<DevicePluginOptions>, string> Invalid => new()
    {
        { o => o.KubeletDirectory = "relative/dir", "DevicePlugin:KubeletDirectory" },
        { o => o.ResourceName = "gpu", "DevicePlugin:ResourceName" },
        { o => o.ResourceName = "kubernetes.io/gpu", "kubernetes.io domain" },
        { o => o.ResourceName = "nvidia.com/GPU sharing", "DevicePlugin:ResourceName" },
        { o => o.SocketName = "kubelet.sock", "DevicePlugin:SocketName" },
        { o => o.SocketName = "a/b.sock", "DevicePlugin:SocketName" },
        { o => o.KubeletDirectory = "/" + new string('x', 100), "longer than 107 bytes" },
        { o => o.AllocateStrategies = "envvar,volume-mounts", "'volume-mounts'" },
        { o => o.AllocateStrategies = " , ", "AllocateStrategies is empty" },
        { o => o.DeviceIdStrategy = "serial", "DevicePlugin:DeviceIdStrategy 'serial'" },
        { o => o.VisibleDevicesEnvVar = "1BAD", "DevicePlugin:VisibleDevicesEnvVar" },
        { o => o.ExtraEnvironment["BAD-NAME"] = "x", "ExtraEnvironment key 'BAD-NAME'" },
        { o => { o.AllocateStrategies = "cdi"; o.CdiKind = "gpu"; }, "DevicePlugin:CdiKind" },
        { o => o.ControlDeviceNodes = "/dev/nvidiactl,/etc/passwd", "'/etc/passwd'" },
        { o => o.HostRoot = "host", "DevicePlugin:HostRoot" },
        { o => o.RegistrationInitialBackoff = TimeSpan.Zero, "RegistrationInitialBackoff" },
        { o => o.RegistrationMaxBackoff = TimeSpan.FromMilliseconds(50), "RegistrationMaxBackoff" },
        { o => o.KubeletCheckInterval = TimeSpan.FromSeconds(-1), "KubeletCheckInterval" },
        { o => o.ListAndWatchCoalesce = TimeSpan.FromSeconds(5), "ListAndWatchCoalesce" },
        { o => o.Sharing.Replicas = 0, "DevicePlugin:Sharing:Replicas 0" },
        { o => o.Sharing.Devices.Add(new ReplicaOverride { Replicas = 2 }), "Sharing:Devices:0 must set exactly one" },
        { o => o.Sharing.Devices.Add(new ReplicaOverride { Index = 0, Product = "A10G", Replicas = 2 }), "Sharing:Devices:0 must set exactly one" },
        { o => o.Sharing.Devices.Add(new ReplicaOverride { Index = -1, Replicas = 2 }), "Sharing:Devices:0:Index" },
        { o => o.Sharing.Devices.Add(new ReplicaOverride { Uuid = "GPU-1", Replicas = 0 }), "Sharing:Devices:0:Replicas" },
        { o => o.Sharing.Placement = "spread", "Sharing:Placement 'spread'" },
        { o => o.Sharing.SharedResourceName = "nvidia.com/gpu.shared", "must end in 'gpu'" },
        { o => o.Sharing.SharedResourceName = "nvidia.com/gpu", "must differ" },
        { o => { o.Sharing.SharedResourceName = "nvidia.com/shared-gpu"; o.Sharing.SharedSocketName = "nvidia-gpu.sock"; }, "equals the primary socket" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_InvalidValue_FailsNamingTheKey(Action<DevicePluginOptions> configure, string expected)
    {
        var options = new DevicePluginOptions();
        configure(options);

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SeveralErrors_AreAllListed()
    {
        var options = new DevicePluginOptions { ResourceName = "x", DeviceIdStrategy = "y", AllocateStrategies = "z" };

        var result = _validator.Validate(null, options);

        Assert.Equal(3, result.Failures!.Count());
    }

    [Theory]
    [InlineData("nvidia.com/gpu", "nvidia-gpu.sock")]
    [InlineData("nvidia.com/shared-gpu", "nvidia-shared-gpu.sock")]
    [InlineData("example.org/tpu", "example-tpu.sock")]
    public void DeriveSocketName_FollowsNvidiasConvention(string resource, string expected) =>
        Assert.Equal(expected, DevicePluginOptionsValidator.DeriveSocketName(resource));

    [Fact]
    public void Parse_SharingWithSeparateResource_ServesBoth()
    {
        var options = new DevicePluginOptions();
        options.Sharing.SharedResourceName = "nvidia.com/shared-gpu";
        options.Sharing.Replicas = 4;
        options.Sharing.FailRequestsGreaterThanOne = true;
        options.Sharing.Placement = "Packed";

        var settings = DevicePluginOptionsValidator.ParseOrThrow(options);

        Assert.Equal(["nvidia.com/gpu", "nvidia.com/shared-gpu"], settings.Resources.Select(r => r.ResourceName));
        Assert.True(settings.Shared!.IsShared);
        Assert.True(settings.Replicas.SeparateSharedResource);
        Assert.True(settings.Replicas.FailRequestsGreaterThanOne);
        Assert.Equal(ReplicaPlacement.Packed, settings.Replicas.Placement);
    }
}
