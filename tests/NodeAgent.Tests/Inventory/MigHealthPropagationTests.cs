using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Platform.DevicePlugin.Inventory;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Mig;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Inventory;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Inventory;

/// <summary>Health of MIG devices from the tracker to the device plugin's inventory: parent faults reach every instance, instance faults one.</summary>
public sealed class MigHealthPropagationTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly GpuDiscovery _discovery = TestMig.Discovery("1g.10gb,1g.10gb,3g.40gb", "1g.10gb");
    private readonly GpuHealthTracker _tracker;
    private readonly DeviceInventory _inventory = new();

    public MigHealthPropagationTests()
    {
        _tracker = new GpuHealthTracker(_discovery, Options.Create(new HealthOptions { QuietPeriod = TimeSpan.FromSeconds(30) }), _time);
        var runtime = GpuRuntime.Create(Substitute.For<IGpuDriver>(), _discovery, NullLogger<GpuRuntime>.Instance);
        var publisher = new InventoryPublisher(runtime, _tracker, _inventory, new AgentMetrics(), NullLogger<InventoryPublisher>.Instance, MigPlanner.Plan(_discovery, MigStrategy.Mixed));
        publisher.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private Platform.NodeAgent.Gpu.GpuDevice Gpu(int index) => _discovery.Devices[index];

    private string Mig(int gpu, int index) => _discovery.MigDevices.Single(m => m.ParentIndex == gpu && m.Index == index).Uuid;

    private string[] Unhealthy() => [.. _inventory.Current.Devices.Where(d => !d.IsHealthy).Select(d => d.Uuid)];

    private void Probe(int gpu, long generation) => _tracker.OnProbe(Gpu(gpu), new GpuProbeResult(GpuProbeStatus.Ok, "ok", generation));

    [Fact]
    public void Start_AdvertisesMigDevicesOnly_AllHealthy()
    {
        Assert.Equal(_discovery.MigDevices.Select(m => m.Uuid), _inventory.Current.Devices.Select(d => d.Uuid));
        Assert.Empty(Unhealthy());
    }

    [Fact]
    public void XidOnParent_EveryInstanceOfThatGpu_RecoversAfterReset()
    {
        _tracker.OnEvent(new GpuEvent(Gpu(0).Uuid, GpuEventKind.Xid, 79));
        var afterXid = Unhealthy();
        var reason = _inventory.Current.Find(Mig(0, 2))!.HealthReason;
        Probe(0, generation: 0);
        var stillFaulted = Unhealthy();
        Probe(0, generation: 1);

        Assert.Equal([Mig(0, 0), Mig(0, 1), Mig(0, 2)], afterXid);
        Assert.Equal("parent GPU 0: xid-79", reason);
        Assert.Equal(afterXid, stillFaulted);
        Assert.Empty(Unhealthy());
    }

    [Fact]
    public void XidInGpuInstance_ThatInstanceOnly_RecoversAfterReset()
    {
        _tracker.OnEvent(new GpuEvent(Gpu(0).Uuid, GpuEventKind.Xid, 94) { GpuInstanceId = 2 });
        var afterXid = Unhealthy();
        var parent = _tracker.StateOf(Gpu(0).Uuid);
        Probe(0, generation: 0);
        var beforeReset = Unhealthy();
        Probe(0, generation: 1);

        Assert.Equal([Mig(0, 1)], afterXid);
        Assert.Equal(GpuHealthState.Healthy, parent);
        Assert.Equal([Mig(0, 1)], beforeReset);
        Assert.Empty(Unhealthy());
        Assert.Equal(94ul, _tracker.LastXid()[Gpu(0).Uuid]);
    }

    [Fact]
    public void TransientXidInGpuInstance_ClearsAfterTheQuietPeriodOfParentProbes()
    {
        _tracker.OnEvent(new GpuEvent(Gpu(1).Uuid, GpuEventKind.Xid, 62) { GpuInstanceId = 1 });
        Probe(1, generation: 0);
        var during = Unhealthy();
        _time.Advance(TimeSpan.FromSeconds(31));
        Probe(1, generation: 0);

        Assert.Equal([Mig(1, 0)], during);
        Assert.Empty(Unhealthy());
    }

    [Fact]
    public void ParentAndInstanceFaults_InstanceStaysUnhealthyUntilBothClear()
    {
        _tracker.OnEvent(new GpuEvent(Gpu(0).Uuid, GpuEventKind.Xid, 94) { GpuInstanceId = 3 });
        _tracker.OnEvent(new GpuEvent(Gpu(0).Uuid, GpuEventKind.Xid, 62));
        Probe(0, generation: 0);
        _time.Advance(TimeSpan.FromSeconds(31));
        Probe(0, generation: 0);
        var parentCleared = Unhealthy();
        var reason = _inventory.Current.Find(Mig(0, 2))!.HealthReason;

        Assert.Equal(GpuHealthState.Healthy, _tracker.StateOf(Gpu(0).Uuid));
        Assert.Equal([Mig(0, 2)], parentCleared);
        Assert.Equal("xid-94", reason);
    }

    [Fact]
    public void XidNamingAnUnknownGpuInstance_FallsBackToTheWholeGpu()
    {
        _tracker.OnEvent(new GpuEvent(Gpu(1).Uuid, GpuEventKind.Xid, 79) { GpuInstanceId = 42 });

        Assert.Equal([Mig(1, 0)], Unhealthy());
        Assert.Equal(GpuHealthState.Unhealthy, _tracker.StateOf(Gpu(1).Uuid));
    }

    [Fact]
    public void DoubleBitEccInGpuInstance_ThatInstanceOnly_NoXidRecorded()
    {
        _tracker.OnEvent(new GpuEvent(Gpu(0).Uuid, GpuEventKind.DoubleBitEcc, 0) { GpuInstanceId = 1 });

        Assert.Equal([Mig(0, 0)], Unhealthy());
        Assert.Equal("double-bit-ecc", _inventory.Current.Find(Mig(0, 0))!.HealthReason);
        Assert.False(_tracker.LastXid().ContainsKey(Gpu(0).Uuid));
    }
}
