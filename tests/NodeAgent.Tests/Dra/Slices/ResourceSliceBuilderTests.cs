using System.Text.Json;
using GpuInterconnect = Platform.DevicePlugin.Inventory.GpuInterconnect;
using Platform.NodeAgent.Dra.Slices;
using Platform.NodeAgent.Gpu;
using GpuLink = Platform.NodeAgent.Gpu.GpuLink;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra.Slices;

public class ResourceSliceBuilderTests
{
    private const string Driver = "gpu.raygpu.io";

    private static List<(GpuDevice, GpuHealthState, string)> Healthy(GpuDiscovery discovery) =>
        [.. discovery.Devices.Select(d => (d, GpuHealthState.Healthy, string.Empty))];

    private static List<(GpuDevice, GpuHealthState, string)> With(GpuDiscovery discovery, int unhealthyIndex, string reason) =>
        [.. discovery.Devices.Select(d => d.Index == unhealthyIndex ? (d, GpuHealthState.Unhealthy, reason) : (d, GpuHealthState.Healthy, string.Empty))];

    [Fact]
    public void Devices_HealthyGpu_HasEveryAttributeWithItsApiTypeAndCanonicalMemory()
    {
        var discovery = TestGpus.Discovery(1);

        var device = Assert.Single(ResourceSliceBuilder.Devices(discovery, Healthy(discovery), Driver, deviceTaints: false));

        Assert.Equal(
            """
            {"name":"gpu-0","attributes":{"architecture":{"string":"ampere"},"cudaComputeCapability":{"version":"8.6.0"},"cudaDriverVersion":{"version":"12.4.0"},"driverVersion":{"version":"550.54.15"},"index":{"int":0},"numaNode":{"int":0},"pciBusID":{"string":"00000000:10:00.0"},"productName":{"string":"NVIDIA A10G"},"uuid":{"string":"GPU-00000000-0000-0000-0000-000000000000"}},"capacity":{"memory":{"value":"23028Mi"}}}
            """,
            JsonSerializer.Serialize(device, ResourceSliceJsonContext.Default.SliceDeviceDto));
    }

    [Fact]
    public void Devices_H100_ArchitectureIsGfdFamilyAndMemoryUsesLargestSuffix()
    {
        var discovery = new GpuDiscovery("nvml", "535.104.05", 12020, [TestGpus.Device(3, "NVIDIA H100 80GB HBM3", 81920, 9, 0) with { NumaNode = null }], []);

        var device = Assert.Single(ResourceSliceBuilder.Devices(discovery, Healthy(discovery), Driver, false));

        Assert.Equal("gpu-3", device.Name);
        Assert.Equal("hopper", device.Attributes!["architecture"].String);
        Assert.Equal("80Gi", device.Capacity!["memory"].Value);
        Assert.Equal("9.0.0", device.Attributes["cudaComputeCapability"].Version);

        // semver forbids leading zeros: NVIDIA's 535.104.05 is published as 535.104.5.
        Assert.Equal("535.104.5", device.Attributes["driverVersion"].Version);
        Assert.Equal("12.2.0", device.Attributes["cudaDriverVersion"].Version);
        Assert.False(device.Attributes.ContainsKey("numaNode"));
    }

    [Fact]
    public void Devices_LongProductName_IsCutToTheApisStringLimit()
    {
        var discovery = new GpuDiscovery("nvml", "550.54.15", 12040, [TestGpus.Device(0, new string('x', 100))], []);

        var device = Assert.Single(ResourceSliceBuilder.Devices(discovery, Healthy(discovery), Driver, false));

        Assert.Equal(64, device.Attributes!["productName"].String!.Length);
    }

    [Fact]
    public void Devices_NoDriverVersions_LeavesThoseAttributesOut()
    {
        var discovery = new GpuDiscovery("cuda", string.Empty, 0, [TestGpus.Device(0)], []);

        var device = Assert.Single(ResourceSliceBuilder.Devices(discovery, Healthy(discovery), Driver, false));

        Assert.False(device.Attributes!.ContainsKey("driverVersion"));
        Assert.False(device.Attributes.ContainsKey("cudaDriverVersion"));
    }

    [Fact]
    public void Devices_UnhealthyGpu_IsWithdrawnByDefault()
    {
        var discovery = TestGpus.Discovery(3);

        var devices = ResourceSliceBuilder.Devices(discovery, With(discovery, 1, "xid-79"), Driver, deviceTaints: false);

        Assert.Equal(["gpu-0", "gpu-2"], devices.Select(d => d.Name));
        Assert.All(devices, d => Assert.Null(d.Taints));
    }

    [Fact]
    public void Devices_UnhealthyGpuWithDeviceTaints_IsKeptAndTaintedNoScheduleWithTheXid()
    {
        var discovery = TestGpus.Discovery(3);

        var devices = ResourceSliceBuilder.Devices(discovery, With(discovery, 1, "xid-79"), Driver, deviceTaints: true);

        Assert.Equal(["gpu-0", "gpu-1", "gpu-2"], devices.Select(d => d.Name));
        var taint = Assert.Single(devices[1].Taints!);
        Assert.Equal(("gpu.raygpu.io/unhealthy", "xid-79", "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
        Assert.Null(taint.TimeAdded);
        Assert.Null(devices[0].Taints);
        Assert.Null(devices[2].Taints);
    }

    [Fact]
    public void Devices_ReasonThatIsNoLabelValue_BecomesOne()
    {
        var discovery = TestGpus.Discovery(1);

        var device = Assert.Single(ResourceSliceBuilder.Devices(discovery, With(discovery, 0, "probe failed: NVML_ERROR_UNKNOWN!"), Driver, true));

        Assert.Equal("probe-failed-NVML_ERROR_UNKNOWN", device.Taints![0].Value);
    }

    [Fact]
    public void Devices_GpuTheTrackerDoesNotKnow_IsNotOffered()
    {
        var discovery = TestGpus.Discovery(2);

        var devices = ResourceSliceBuilder.Devices(discovery, [(discovery.Devices[0], GpuHealthState.Healthy, string.Empty)], Driver, false);

        Assert.Equal(["gpu-0"], devices.Select(d => d.Name));
    }

    [Fact]
    public void Devices_NvLinkPairs_EachPairIsOneDomainNamedByItsLowestIndex()
    {
        // Two bridged pairs (0-1, 2-3) and a lone PCIe GPU 4.
        var discovery = TestGpus.Discovery(5) with
        {
            Topology =
            [
                new GpuLink(0, 1, GpuInterconnect.NvLink, 4),
                new GpuLink(2, 3, GpuInterconnect.NvLink, 4),
                new GpuLink(1, 2, GpuInterconnect.SameNumaNode, 0),
                new GpuLink(3, 4, GpuInterconnect.CrossNuma, 0),
            ],
        };

        var devices = ResourceSliceBuilder.Devices(discovery, Healthy(discovery), Driver, false);

        Assert.Equal(
            ["nvlink-0", "nvlink-0", "nvlink-2", "nvlink-2", null],
            devices.Select(d => d.Attributes!.GetValueOrDefault("nvlinkDomain")?.String));
    }

    [Fact]
    public void Devices_NvSwitchAllToAll_IsOneDomainWhateverTheLinkOrder()
    {
        var links = new List<GpuLink>();
        for (var a = 7; a >= 0; a--)
        {
            for (var b = a + 1; b < 8; b++)
            {
                links.Add(new GpuLink(a, b, GpuInterconnect.NvLink, 18));
            }
        }

        var discovery = TestGpus.Discovery(8) with { Topology = links };

        var devices = ResourceSliceBuilder.Devices(discovery, Healthy(discovery), Driver, false);

        Assert.All(devices, d => Assert.Equal("nvlink-0", d.Attributes!["nvlinkDomain"].String));
    }

    [Fact]
    public void Devices_ChainThroughAWithdrawnGpu_KeepsTheDomainName()
    {
        // 0-1-2 linked in a chain; GPU 0 unhealthy: 1 and 2 stay one domain, still called after GPU 0.
        var discovery = TestGpus.Discovery(3) with { Topology = [new GpuLink(1, 2, GpuInterconnect.NvLink, 2), new GpuLink(0, 1, GpuInterconnect.NvLink, 2)] };

        var devices = ResourceSliceBuilder.Devices(discovery, With(discovery, 0, "xid-48"), Driver, false);

        Assert.Equal(["nvlink-0", "nvlink-0"], devices.Select(d => d.Attributes!["nvlinkDomain"].String));
    }

    [Fact]
    public void Devices_AttributeNamesAreCIdentifiersWithinTheApisLimits()
    {
        var discovery = TestGpus.Discovery(2) with { Topology = [new GpuLink(0, 1, GpuInterconnect.NvLink, 4)] };

        var device = ResourceSliceBuilder.Devices(discovery, Healthy(discovery), Driver, true)[0];

        Assert.True(device.Attributes!.Count + device.Capacity!.Count <= 32);
        Assert.All(device.Attributes.Keys.Concat(device.Capacity.Keys), name => Assert.Matches("^[A-Za-z_][A-Za-z0-9_]{0,31}$", name));
        Assert.All(device.Attributes.Values, v => Assert.Equal(1, new object?[] { v.Int, v.Bool, v.String, v.Version }.Count(x => x is not null)));
    }

    [Theory]
    [InlineData(0, false, false, 0)]
    [InlineData(0, true, false, 1)]
    [InlineData(8, true, false, 1)]
    [InlineData(128, true, false, 1)]
    [InlineData(129, true, false, 2)]
    [InlineData(64, true, true, 1)]
    [InlineData(65, true, true, 2)]
    [InlineData(300, true, false, 3)]
    public void Split_KeepsEachSliceWithinTheDeviceLimit(int devices, bool nodeHasGpus, bool deviceTaints, int slices)
    {
        var list = Enumerable.Range(0, devices).Select(i => new SliceDeviceDto { Name = $"gpu-{i}" }).ToList();

        var split = ResourceSliceBuilder.Split(list, nodeHasGpus, deviceTaints);

        Assert.Equal(slices, split.Count);
        Assert.Equal(list.Select(d => d.Name), split.SelectMany(s => s).Select(d => d.Name));
        Assert.All(split, s => Assert.True(s.Count <= (deviceTaints ? 64 : 128)));
    }

    [Fact]
    public void Slice_IsTheNodesPoolOwnedByTheNode()
    {
        var slice = ResourceSliceBuilder.Slice("gpu-node-1", "uid-1", Driver, 7, 2, []);

        Assert.Equal(("gpu.raygpu.io", "gpu-node-1", "gpu-node-1", 7L, 2L), (slice.Spec.Driver, slice.Spec.NodeName, slice.Spec.Pool.Name, slice.Spec.Pool.Generation, slice.Spec.Pool.ResourceSliceCount));
        Assert.Equal("gpu-node-1-gpu.raygpu.io-", slice.Metadata.GenerateName);
        var owner = Assert.Single(slice.Metadata.OwnerReferences!);
        Assert.Equal(("v1", "Node", "gpu-node-1", "uid-1", true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller));
    }

    [Fact]
    public void GenerateName_LongNodeName_LeavesRoomForTheServersSuffix()
    {
        var name = ResourceSliceBuilder.GenerateName(new string('n', 80) + ".example.com", Driver);

        Assert.True(name.Length <= 58);
        Assert.EndsWith("-", name, StringComparison.Ordinal);
        Assert.Matches("^[a-z0-9][a-z0-9.-]*-$", name);
    }

    [Theory]
    [InlineData("550.54.15", "550.54.15")]
    [InlineData("535.104.05", "535.104.5")]
    [InlineData("9.0", "9.0.0")]
    [InlineData("12", "12.0.0")]
    [InlineData(" 470.82.01 ", "470.82.1")]
    [InlineData("", null)]
    [InlineData("1.2.3.4", null)]
    [InlineData("550.54-beta", null)]
    [InlineData("-1.0", null)]
    [InlineData("1..2", null)]
    [InlineData("99999999999999999999.0", null)]
    public void SemanticVersion_Table(string text, string? expected)
    {
        Assert.Equal(expected, DraValues.SemanticVersion(text));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1Mi")]
    [InlineData(1023, "1023Mi")]
    [InlineData(1024, "1Gi")]
    [InlineData(23028, "23028Mi")]
    [InlineData(81920, "80Gi")]
    [InlineData(1048576, "1Ti")]
    [InlineData(1073741824, "1Pi")]
    public void MebibytesQuantity_Table(long mebibytes, string expected)
    {
        Assert.Equal(expected, DraValues.MebibytesQuantity(mebibytes));
    }
}
