using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;

namespace Platform.NodeAgent.Tests.Health;

public class HealthMonitorTests
{
    private static (HealthMonitor Monitor, GpuHealthTracker Tracker, GpuRuntime Runtime) Create(int count = 2)
    {
        var time = new FakeTimeProvider();
        var runtime = new GpuRuntime(Options.Create(new GpuOptions { Driver = "simulated", Simulated = new SimulatedGpuOptions { Count = count } }), time, NullLogger<GpuRuntime>.Instance);
        var options = Options.Create(new HealthOptions { QuietPeriod = TimeSpan.FromSeconds(30) });
        var tracker = new GpuHealthTracker(runtime.Discovery, options, time);
        return (new HealthMonitor(runtime, tracker, options, time, NullLogger<HealthMonitor>.Instance), tracker, runtime);
    }

    [Fact]
    public async Task EventLoop_XidFromDriver_ReachesTracker()
    {
        var (monitor, tracker, runtime) = Create();
        var unhealthy = new TaskCompletionSource<HealthTransition>(TaskCreationOptions.RunContinuationsAsynchronously);
        tracker.Subscribe(t => unhealthy.TrySetResult(t));

        await monitor.StartAsync(CancellationToken.None).DefaultTimeout();
        runtime.Simulator!.InjectXid(1, 48);
        var transition = await unhealthy.Task.DefaultTimeout();
        await monitor.StopAsync(CancellationToken.None).DefaultTimeout();

        Assert.Equal((1, "xid-48", GpuHealthState.Unhealthy), (transition.Index, transition.Reason, transition.To));
    }

    [Fact]
    public void ProbeAll_LostThenReset_UnhealthyThenHealthy()
    {
        var (monitor, tracker, runtime) = Create();
        var transitions = new List<HealthTransition>();
        tracker.Subscribe(transitions.Add);

        runtime.Simulator!.Lose(0);
        monitor.ProbeAll(runtime.Driver!);
        monitor.ProbeAll(runtime.Driver!);
        runtime.Simulator.Reset(0);
        monitor.ProbeAll(runtime.Driver!);

        Assert.Equal([(HealthReasons.GpuLost, GpuHealthState.Unhealthy), (HealthReasons.RecoveredAfterReset, GpuHealthState.Healthy)], transitions.Select(t => (t.Reason, t.To)));
    }

    [Fact]
    public void ProbeAll_DriverThrows_CountsAsProbeFailure()
    {
        var (monitor, tracker, _) = Create(count: 1);
        var driver = Substitute.For<IGpuDriver>();
        driver.Probe(Arg.Any<GpuDevice>()).Throws(new GpuDriverException("nvmlDeviceGetTemperature", 999, "unknown error"));

        monitor.ProbeAll(driver);

        var state = Assert.Single(tracker.Snapshot());
        Assert.Equal((GpuHealthState.Unhealthy, HealthReasons.ProbeFailed), (state.State, state.Reason));
    }

    [Fact]
    public async Task EventLoop_EventSetFails_MarksEveryGpuUnhealthy()
    {
        var time = new FakeTimeProvider();
        var runtime = new GpuRuntime(Options.Create(new GpuOptions { Driver = "simulated", Simulated = new SimulatedGpuOptions { Count = 2 } }), time, NullLogger<GpuRuntime>.Instance);
        var options = Options.Create(new HealthOptions());
        var tracker = new GpuHealthTracker(runtime.Discovery, options, time);
        var failing = Substitute.For<IGpuDriver>();
        failing.SupportsEvents.Returns(true);
        failing.WaitForEvent(Arg.Any<TimeSpan>()).Throws(new GpuDriverException("nvmlEventSetCreate", 999, "unknown error"));
        failing.Probe(Arg.Any<GpuDevice>()).Returns(new GpuProbeResult(GpuProbeStatus.Ok, "ok", 0));
        var wrapped = new RuntimeWithDriver(runtime, failing);
        var count = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tracker.Subscribe(_ =>
        {
            if (Interlocked.Increment(ref count) == 2)
            {
                both.TrySetResult();
            }
        });
        var monitor = new HealthMonitor(wrapped.Runtime, tracker, options, time, NullLogger<HealthMonitor>.Instance);

        await monitor.StartAsync(CancellationToken.None).DefaultTimeout();
        await both.Task.DefaultTimeout();
        await monitor.StopAsync(CancellationToken.None).DefaultTimeout();

        Assert.All(tracker.Snapshot(), s => Assert.Equal(HealthReasons.HealthCheckUnavailable, s.Reason));
        Assert.Contains("nvmlEventSetCreate", monitor.EventsProblem, StringComparison.Ordinal);
    }

    /// <summary>A GpuRuntime whose driver is replaced by a substitute, keeping the simulator's discovery.</summary>
    private sealed class RuntimeWithDriver(GpuRuntime runtime, IGpuDriver driver)
    {
        public GpuRuntime Runtime { get; } = GpuRuntime.Create(driver, runtime.Discovery, NullLogger<GpuRuntime>.Instance);
    }
}
