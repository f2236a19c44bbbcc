using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Health;

public class GpuHealthStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(60);

    private static GpuHealthStateMachine Create() =>
        new(TestGpus.Device(0), XidList.Parse(new HealthOptions().IgnoredXids), XidList.Parse(new HealthOptions().FatalXids), Quiet);

    private static GpuEvent Xid(ulong code) => new(TestGpus.Device(0).Uuid, GpuEventKind.Xid, code);

    private static GpuProbeResult Ok(long generation = 0) => new(GpuProbeStatus.Ok, "ok", generation);

    [Theory]
    [InlineData(13ul)]
    [InlineData(31ul)]
    [InlineData(43ul)]
    [InlineData(45ul)]
    [InlineData(68ul)]
    [InlineData(109ul)]
    public void OnEvent_ApplicationXid_IsIgnored(ulong xid)
    {
        var machine = Create();
        Assert.Null(machine.OnEvent(Xid(xid), T0));
        Assert.Equal(GpuHealthState.Healthy, machine.State);
    }

    [Theory]
    [InlineData(48ul)]
    [InlineData(79ul)]
    [InlineData(94ul)]
    [InlineData(95ul)]
    public void OnEvent_FatalXid_UnhealthyAndFatal(ulong xid)
    {
        var machine = Create();

        var transition = machine.OnEvent(Xid(xid), T0);

        Assert.NotNull(transition);
        Assert.Equal((GpuHealthState.Healthy, GpuHealthState.Unhealthy, $"xid-{xid}", true), (transition.From, transition.To, transition.Reason, transition.Fatal));
        Assert.True(machine.Fatal);
    }

    [Fact]
    public void OnEvent_DoubleBitEcc_IsFatal()
    {
        var machine = Create();
        var transition = machine.OnEvent(new GpuEvent(TestGpus.Device(0).Uuid, GpuEventKind.DoubleBitEcc, 0), T0);
        Assert.Equal((HealthReasons.DoubleBitEcc, true), (transition!.Reason, transition.Fatal));
    }

    [Fact]
    public void Fatal_PassingProbesWithoutReset_StayUnhealthy()
    {
        var machine = Create();
        machine.OnProbe(Ok(3), T0);
        machine.OnEvent(Xid(79), T0);

        for (var minute = 1; minute <= 60; minute++)
        {
            Assert.Null(machine.OnProbe(Ok(3), T0.AddMinutes(minute)));
        }

        Assert.Equal(GpuHealthState.Unhealthy, machine.State);
    }

    [Fact]
    public void Fatal_ProbeAfterReset_RecoversAtOnce()
    {
        var machine = Create();
        machine.OnProbe(Ok(0), T0);
        machine.OnEvent(Xid(79), T0);
        machine.OnProbe(new GpuProbeResult(GpuProbeStatus.Lost, "lost", 0), T0.AddSeconds(10));

        var transition = machine.OnProbe(Ok(1), T0.AddSeconds(20));

        Assert.Equal((GpuHealthState.Unhealthy, GpuHealthState.Healthy, HealthReasons.RecoveredAfterReset, true), (transition!.From, transition.To, transition.Reason, transition.Fatal));
        Assert.Equal(GpuHealthState.Healthy, machine.State);
        Assert.Empty(machine.Reason);
    }

    [Fact]
    public void Transient_RecoversOnlyAfterQuietPeriodOfPassingProbes()
    {
        var machine = Create();
        var fault = machine.OnEvent(Xid(62), T0);
        Assert.False(fault!.Fatal);

        Assert.Null(machine.OnProbe(Ok(), T0.AddSeconds(10)));
        Assert.Null(machine.OnProbe(Ok(), T0.AddSeconds(69)));
        var recovered = machine.OnProbe(Ok(), T0.AddSeconds(70));

        Assert.Equal(HealthReasons.RecoveredAfterQuietPeriod, recovered!.Reason);
        Assert.Equal(GpuHealthState.Healthy, machine.State);
    }

    [Fact]
    public void Transient_NewFaultDuringQuietPeriod_RestartsIt()
    {
        var machine = Create();
        machine.OnEvent(Xid(62), T0);
        machine.OnProbe(Ok(), T0.AddSeconds(10));

        Assert.Null(machine.OnEvent(Xid(62), T0.AddSeconds(50)));
        Assert.Null(machine.OnProbe(Ok(), T0.AddSeconds(60)));
        Assert.Null(machine.OnProbe(Ok(), T0.AddSeconds(110)));
        Assert.NotNull(machine.OnProbe(Ok(), T0.AddSeconds(120)));
    }

    [Fact]
    public void Transient_ThenFatal_UpgradesAndNeedsReset()
    {
        var machine = Create();
        machine.OnEvent(Xid(62), T0);

        var upgrade = machine.OnEvent(Xid(79), T0.AddSeconds(1));
        Assert.NotNull(upgrade);
        Assert.Equal((GpuHealthState.Unhealthy, GpuHealthState.Unhealthy, "xid-79", true), (upgrade.From, upgrade.To, upgrade.Reason, upgrade.Fatal));
        Assert.Null(machine.OnEvent(Xid(79), T0.AddSeconds(2)));
        Assert.Null(machine.OnEvent(Xid(62), T0.AddSeconds(3)));
        Assert.True(machine.Fatal);
        Assert.Equal("xid-79", machine.Reason);
        Assert.Null(machine.OnProbe(Ok(), T0.AddMinutes(10)));
        Assert.NotNull(machine.OnProbe(Ok(1), T0.AddMinutes(11)));
    }

    [Theory]
    [InlineData((int)GpuProbeStatus.Lost, HealthReasons.GpuLost, true)]
    [InlineData((int)GpuProbeStatus.PendingPageRetirement, HealthReasons.PendingPageRetirement, true)]
    [InlineData((int)GpuProbeStatus.RowRemapFailure, HealthReasons.RowRemapFailure, true)]
    [InlineData((int)GpuProbeStatus.OverTemperature, HealthReasons.OverTemperature, false)]
    [InlineData((int)GpuProbeStatus.Error, HealthReasons.ProbeFailed, false)]
    public void OnProbe_Failure_MarksUnhealthyWithReason(int status, string reason, bool fatal)
    {
        var machine = Create();

        var transition = machine.OnProbe(new GpuProbeResult((GpuProbeStatus)status, "detail", 0), T0);

        Assert.Equal((GpuHealthState.Unhealthy, reason, fatal), (transition!.To, transition.Reason, transition.Fatal));
    }

    [Fact]
    public void OnCheckUnavailable_NeverFailsOpen()
    {
        var machine = Create();

        var transition = machine.OnCheckUnavailable("event set failed", T0);

        Assert.Equal((GpuHealthState.Unhealthy, HealthReasons.HealthCheckUnavailable), (transition!.To, transition.Reason));
        Assert.Null(machine.OnProbe(Ok(), T0.AddSeconds(30)));
        Assert.NotNull(machine.OnProbe(Ok(), T0.AddSeconds(90)));
    }

    [Fact]
    public void Healthy_PassingProbes_NoTransitions()
    {
        var machine = Create();
        Assert.Null(machine.OnProbe(Ok(), T0));
        Assert.Null(machine.OnProbe(Ok(5), T0.AddSeconds(10)));
        Assert.Equal(GpuHealthState.Healthy, machine.State);
    }

    [Fact]
    public void OnProbe_TemperatureAtLimit_TransientUntilCoolForQuietPeriod()
    {
        var machine = new GpuHealthStateMachine(TestGpus.Device(0), new HashSet<ulong>(), new HashSet<ulong>(), Quiet, temperatureLimitC: 90);

        var hot = machine.OnProbe(new GpuProbeResult(GpuProbeStatus.Ok, "ok", 0, 91), T0);
        Assert.Null(machine.OnProbe(new GpuProbeResult(GpuProbeStatus.Ok, "ok", 0, 70), T0.AddSeconds(10)));
        var cool = machine.OnProbe(new GpuProbeResult(GpuProbeStatus.Ok, "ok", 0, 70), T0.AddSeconds(70));

        Assert.Equal((HealthReasons.OverTemperature, false), (hot!.Reason, hot.Fatal));
        Assert.Equal(GpuHealthState.Healthy, cool!.To);
    }
}
