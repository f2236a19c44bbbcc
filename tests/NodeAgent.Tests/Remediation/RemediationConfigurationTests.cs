using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Startup;

namespace Platform.NodeAgent.Tests.Remediation;

/// <summary>The Remediation section through the agent's start-up check, as a person would type it.</summary>
public sealed class RemediationConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "rmc-" + Guid.NewGuid().ToString("N")[..8]));

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task EveryKey_Accepted_AndBound()
    {
        var app = Build(
            "--Remediation:Mode=evict",
            "--Remediation:NonRayPods=Evict",
            "--Remediation:DrainTimeout=00:05:00",
            "--Remediation:MaxEvictionsPerNodePerHour=4",
            "--Remediation:NodeFaultGpus=3",
            "--Remediation:NodeFaultWindow=00:15:00",
            "--Remediation:MaxDisruptedNodeFraction=0.2",
            "--Remediation:MinDisruptedNodes=3",
            "--Remediation:NodeRecoveryWindow=01:00:00",
            "--Remediation:DryRun=true",
            "--Remediation:GcsAddress={cluster}-head-svc.{namespace}.svc.cluster.local:6379",
            "--Remediation:GpuNodeSelector=nvidia.com/gpu.present=true,pool=gpu",
            "--Remediation:EvictionRetryInitial=00:00:01",
            "--Remediation:EvictionRetryMax=00:01:00",
            "--Remediation:StatusPollInterval=00:00:02");

        var options = app.Services.GetRequiredService<IOptions<RemediationOptions>>().Value;
        Assert.Equal(RemediationMode.Evict, options.ParsedMode);
        Assert.Equal((TimeSpan.FromMinutes(5), 4, 3, 0.2, true), (options.DrainTimeout, options.MaxEvictionsPerNodePerHour, options.NodeFaultGpus, options.MaxDisruptedNodeFraction, options.DryRun));
        Assert.Equal("rc-head-svc.ml.svc.cluster.local:6379", options.GcsAddressFor("rc", "ml"));
        Assert.NotNull(app.Services.GetRequiredService<GpuRemediationService>());
        await app.DisposeAsync();
    }

    [Fact]
    public void BadValues_StopTheStartWithEveryProblem()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Build("--Remediation:Mode=cordon", "--Remediation:NodeFaultGpus=1", "--Remediation:MaxDisruptedNodeFraction=2"));

        Assert.Contains("Remediation:Mode is 'cordon'; use one of Off, Annotate, Drain, Evict.", error.Problems);
        Assert.Contains(error.Problems, p => p.StartsWith("Remediation:NodeFaultGpus is 1", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Remediation:MaxDisruptedNodeFraction is 2", StringComparison.Ordinal));
    }

    [Fact]
    public void UnconvertibleDuration_NamesTheKey()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Build("--Remediation:DrainTimeout=ten minutes"));

        Assert.Contains(error.Problems, p => p.StartsWith("Remediation:DrainTimeout is 'ten minutes', which is not a duration", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownKey_NamesTheKnownKeysOfTheSection()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Build("--Remediation:MaxEvictionsPerHour=3"));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("--Remediation:MaxEvictionsPerHour is not a key the agent knows. Known keys in section Remediation:", problem, StringComparison.Ordinal);
        Assert.Contains("Remediation:MaxEvictionsPerNodePerHour", problem, StringComparison.Ordinal);
    }

    private WebApplication Build(params string[] args) =>
        NodeAgentApp.Build(
            [$"--DevicePlugin:KubeletDirectory={_temp.FullName}", "--Kubernetes:Enabled=false", "--Gpu:Driver=simulated", .. args],
            services => services.AddSingleton(ClusterDetector.None));
}
