using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Health;

public class GpuHealthTrackerTests
{
    [Fact]
    public void Transitions_ReachEverySubscriberInOrder()
    {
        var time = new FakeTimeProvider();
        var discovery = TestGpus.Discovery(2);
        var tracker = new GpuHealthTracker(discovery, Options.Create(new HealthOptions()), time);
        var first = new List<HealthTransition>();
        var second = new List<HealthTransition>();
        tracker.Subscribe(first.Add);
        tracker.Subscribe(second.Add);

        tracker.OnEvent(new GpuEvent(discovery.Devices[1].Uuid, GpuEventKind.Xid, 79));
        tracker.OnProbe(discovery.Devices[1], new GpuProbeResult(GpuProbeStatus.Ok, "ok", 1));

        Assert.Equal([GpuHealthState.Unhealthy, GpuHealthState.Healthy], first.Select(t => t.To));
        Assert.Equal(first, second);
        Assert.All(first, t => Assert.Equal(1, t.Index));
        Assert.Equal(time.GetUtcNow(), first[0].At);
    }

    [Fact]
    public void OnEvent_UnknownGpu_ReturnsFalse()
    {
        var tracker = new GpuHealthTracker(TestGpus.Discovery(1), Options.Create(new HealthOptions()), new FakeTimeProvider());
        Assert.False(tracker.OnEvent(new GpuEvent("GPU-unknown", GpuEventKind.Xid, 79)));
    }

    [Fact]
    public void LastXid_RecordsIgnoredXidsToo()
    {
        var discovery = TestGpus.Discovery(1);
        var tracker = new GpuHealthTracker(discovery, Options.Create(new HealthOptions()), new FakeTimeProvider());

        tracker.OnEvent(new GpuEvent(discovery.Devices[0].Uuid, GpuEventKind.Xid, 13));

        Assert.Equal(13ul, tracker.LastXid()[discovery.Devices[0].Uuid]);
        Assert.Equal(GpuHealthState.Healthy, tracker.StateOf(discovery.Devices[0].Uuid));
    }

    [Fact]
    public void OnCheckUnavailable_MarksEveryGpu()
    {
        var discovery = TestGpus.Discovery(3);
        var tracker = new GpuHealthTracker(discovery, Options.Create(new HealthOptions()), new FakeTimeProvider());

        tracker.OnCheckUnavailable("NVML event set failed");

        Assert.All(tracker.Snapshot(), s => Assert.Equal((GpuHealthState.Unhealthy, HealthReasons.HealthCheckUnavailable), (s.State, s.Reason)));
    }
}
