using Platform.NodeAgent.Gpu.Mig;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Gpu.Mig;

public class MigPlannerTests
{
    private static string[] Ids(MigPlan plan) => [.. plan.Devices.Select(d => d.Uuid)];

    private static string[] Resources(MigPlan plan) => [.. plan.Devices.Select(d => d.ResourceName ?? string.Empty)];

    [Theory]
    [InlineData("none")]
    [InlineData("single")]
    [InlineData("mixed")]
    public void Plan_MigDisabledEverywhere_WholeGpusUnderEveryStrategy(string name)
    {
        var discovery = TestMig.Discovery(null, null);
        Assert.True(MigStrategies.TryParse(name, out var strategy));

        var plan = MigPlanner.Plan(discovery, strategy);

        Assert.Equal(discovery.Devices.Select(d => d.Uuid), Ids(plan));
        Assert.All(plan.Devices, d => Assert.Null(d.ResourceName));
        Assert.Null(plan.Problem);
        Assert.Empty(plan.AdvertisedMig);
    }

    [Fact]
    public void Plan_None_MigEnabled_StillWholeGpus()
    {
        var discovery = TestMig.Discovery("1g.10gb,1g.10gb", "3g.40gb");

        var plan = MigPlanner.Plan(discovery, MigStrategy.None);

        Assert.Equal(discovery.Devices.Select(d => d.Uuid), Ids(plan));
        Assert.Null(plan.Problem);
    }

    [Fact]
    public void Plan_Single_OneProfileEverywhere_MigDevicesAsTheConfiguredResource()
    {
        var discovery = TestMig.Discovery("1g.10gb,1g.10gb", "1g.10gb,1g.10gb");

        var plan = MigPlanner.Plan(discovery, MigStrategy.Single);

        Assert.Equal(discovery.MigDevices.Select(m => m.Uuid), Ids(plan));
        Assert.All(plan.Devices, d => Assert.Null(d.ResourceName));
        Assert.Equal(["0:0", "0:1", "1:0", "1:1"], plan.Devices.Select(d => d.IndexName));
        Assert.Equal([1000, 1001, 2000, 2001], plan.Devices.Select(d => d.Index));
        Assert.Equal(["/dev/nvidia1"], plan.Devices[2].DeviceNodes);
        Assert.Null(plan.Problem);
        Assert.Equal(4, plan.AdvertisedMig.Count);
    }

    [Theory]
    [InlineData(new[] { "1g.10gb", "3g.40gb" }, "found 1g.10gb, 3g.40gb")]
    [InlineData(new[] { "1g.10gb", null }, "GPU 1 have MIG disabled and GPU 0 enabled")]
    [InlineData(new[] { "", "" }, "no MIG devices exist")]
    [InlineData(new[] { "1g.10gb", "" }, "GPU 1 have none")]
    [InlineData(new[] { "1g.10gb,1g.10gb+me" }, "found 1g.10gb, 1g.10gb+me")]
    public void Plan_Single_InconsistentLayout_AdvertisesNothingAndSaysWhy(string?[] layouts, string reason)
    {
        var plan = MigPlanner.Plan(TestMig.Discovery(layouts), MigStrategy.Single);

        Assert.Empty(plan.Devices);
        Assert.Empty(plan.AdvertisedMig);
        Assert.Contains(reason, plan.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Mixed_ResourcePerProfileAndWholeGpusWithoutMig()
    {
        var discovery = TestMig.Discovery("1g.10gb,1g.10gb+me,3g.40gb", null);

        var plan = MigPlanner.Plan(discovery, MigStrategy.Mixed);

        Assert.Equal([discovery.Devices[1].Uuid, .. discovery.MigDevices.Select(m => m.Uuid)], Ids(plan));
        Assert.Equal(["", "nvidia.com/mig-1g.10gb", "nvidia.com/mig-1g.10gb.me", "nvidia.com/mig-3g.40gb"], Resources(plan));
        Assert.Null(plan.Problem);
        Assert.Equal(discovery.MigDevices.Select(m => m.Uuid), plan.ChildrenOf(discovery.Devices[0].Uuid).Select(m => m.Uuid));
        Assert.Empty(plan.ChildrenOf(discovery.Devices[1].Uuid));
    }

    [Fact]
    public void Plan_Mixed_MigEnabledWithoutInstances_NeitherTheGpuNorAnything()
    {
        var discovery = TestMig.Discovery("", null);

        var plan = MigPlanner.Plan(discovery, MigStrategy.Mixed);

        Assert.Equal([discovery.Devices[1].Uuid], Ids(plan));
        Assert.Null(plan.Problem);
    }

    [Fact]
    public void Plan_Mixed_ManyGpusAndInstances_EveryIdUniqueAndAccepted()
    {
        var discovery = TestMig.Discovery([.. Enumerable.Repeat("1g.10gb,1g.10gb,1g.10gb,1g.10gb,1g.10gb,1g.10gb,1g.10gb", 8)]);
        var inventory = new Platform.DevicePlugin.Inventory.DeviceInventory();

        var plan = MigPlanner.Plan(discovery, MigStrategy.Mixed);
        inventory.SetDevices(plan.Devices);

        Assert.Equal(56, inventory.Current.Devices.Count);
        Assert.All(plan.Devices, d => Assert.StartsWith("MIG-", d.Uuid, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("none", true, "none")]
    [InlineData("Single", true, "single")]
    [InlineData(" mixed ", true, "mixed")]
    [InlineData("mixed-ish", false, "none")]
    [InlineData(null, false, "none")]
    public void Strategies_Parse(string? value, bool ok, string expected)
    {
        Assert.Equal(ok, MigStrategies.TryParse(value, out var strategy));
        Assert.Equal(expected, MigStrategies.Name(strategy));
        Assert.Equal(ok, new MigOptionsValidator().Validate(null, new MigOptions { Strategy = value! }).Succeeded);
    }

    [Fact]
    public void Resources_Mixed_FoundAndAdvertisedPerResource()
    {
        var plan = MigPlanner.Plan(TestMig.Discovery("1g.10gb,1g.10gb,3g.40gb", null, ""), MigStrategy.Mixed);

        Assert.Equal([("", 1, 1), ("nvidia.com/mig-1g.10gb", 2, 2), ("nvidia.com/mig-3g.40gb", 1, 1)], plan.Resources.Select(r => (r.Resource ?? "", r.Found, r.Advertised)));
    }

    [Fact]
    public void Resources_SingleInconsistent_FoundButNothingAdvertised()
    {
        var plan = MigPlanner.Plan(TestMig.Discovery("1g.10gb,1g.10gb", "3g.40gb"), MigStrategy.Single);

        Assert.Equal([("", 3, 0)], plan.Resources.Select(r => (r.Resource ?? "", r.Found, r.Advertised)));
    }

    [Fact]
    public void Resources_None_EveryGpuFoundAndAdvertised()
    {
        var plan = MigPlanner.Plan(TestMig.Discovery("1g.10gb", null), MigStrategy.None);

        Assert.Equal([("", 2, 2)], plan.Resources.Select(r => (r.Resource ?? "", r.Found, r.Advertised)));
    }
}
