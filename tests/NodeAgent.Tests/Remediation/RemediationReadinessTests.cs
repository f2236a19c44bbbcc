using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Remediation;

/// <summary>/readyz says something only when remediation is on and broken.</summary>
public sealed class RemediationReadinessTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GpuRuntime _runtime;

    public RemediationReadinessTests() =>
        _runtime = new GpuRuntime(Options.Create(new GpuOptions { Driver = "simulated", Simulated = new SimulatedGpuOptions { Count = 1 } }), _time, NullLogger<GpuRuntime>.Instance);

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public async Task ApiUnreachable_ReportedAsNotRequiredCheck_ThenClearedWhenItAnswers()
    {
        var api = Substitute.For<IKubernetesApi>();
        api.GetNodeMarksAsync("gpu-node-1", Arg.Any<CancellationToken>()).Throws(new HttpRequestException("Connection refused (10.96.0.1:443)"));
        var service = Create(api, "Evict");
        var readiness = new RemediationReadiness(service);

        await service.StartAsync(CancellationToken.None).DefaultTimeout();
        await service.Idle.DefaultTimeout();
        var check = Assert.Single(readiness.Checks());

        Assert.Equal(("gpu-remediation", false, false), (check.Name, check.Ok, check.Required));
        Assert.Contains("Connection refused", check.Detail, StringComparison.Ordinal);

        api.GetNodeMarksAsync("gpu-node-1", Arg.Any<CancellationToken>()).Returns(new GpuNodeMarks("gpu-node-1", null, false));
        _time.Advance(TimeSpan.FromSeconds(10));
        await Task.Yield();
        await service.Idle.DefaultTimeout();
        Assert.Empty(readiness.Checks());
        await service.StopAsync(CancellationToken.None).DefaultTimeout();
    }

    [Fact]
    public async Task ModeOff_NoCheck_NoApiCalls()
    {
        var api = Substitute.For<IKubernetesApi>();
        var service = Create(api, "Off");

        await service.StartAsync(CancellationToken.None).DefaultTimeout();
        await service.StopAsync(CancellationToken.None).DefaultTimeout();

        Assert.Equal("Remediation:Mode is Off", service.Off);
        Assert.Empty(new RemediationReadiness(service).Checks());
        Assert.Empty(api.ReceivedCalls());
    }

    private GpuRemediationService Create(IKubernetesApi api, string mode)
    {
        var kubernetes = new KubernetesConnection(api, "test");
        var tracker = new GpuHealthTracker(_runtime.Discovery, Options.Create(new HealthOptions()), _time);
        var node = Options.Create(new NodeOptions { Name = "gpu-node-1" });
        var attribution = new PodAttributionRefresher(Substitute.For<IPodResourcesClient>(), kubernetes, _runtime, Options.Create(new MetricsOptions()), _time, NullLogger<PodAttributionRefresher>.Instance);
        return new GpuRemediationService(kubernetes, tracker, attribution, new NoRayGcs(), new NodeEventPublisher(kubernetes, tracker, node, NullLogger<NodeEventPublisher>.Instance),
            new AgentMetrics(), Options.Create(new RemediationOptions { Mode = mode }), node, _time, NullLogger<GpuRemediationService>.Instance);
    }
}
