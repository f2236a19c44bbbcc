using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Startup;

namespace Platform.NodeAgent.Tests.Startup;

/// <summary>The start-up check in-process: what it accepts matters as much as what it refuses.</summary>
public sealed class ConfigurationCheckTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "nac-" + Guid.NewGuid().ToString("N")[..8]));

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task NestedListsDictionariesAndFrameworkKeys_AreAccepted()
    {
        var app = Build(
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:Count=3",
            "--DevicePlugin:ExtraEnvironment:CUDA_DEVICE_ORDER=PCI_BUS_ID",
            "--DevicePlugin:Sharing:Replicas=2",
            "--Node:Taints:0=ray.io/node-type=worker:NoSchedule",
            "--Health:ProbeInterval=00:00:05",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:Console:FormatterName=simple",
            "--Kestrel:Limits:MaxConcurrentConnections=100",
            "--environment=Staging",
            "--AllowedHosts=*",
            "--urls=http://127.0.0.1:0");

        await app.DisposeAsync();
    }

    [Fact]
    public void UnknownNestedKey_NamesTheKnownKeysOfItsSection()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Build("--Gpu:Driver=simulated", "--Gpu:Simulated:Cont=3"));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("--Gpu:Simulated:Cont is not a key the agent knows. Known keys in section Gpu:", problem, StringComparison.Ordinal);
        Assert.Contains("Gpu:Simulated:Count", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryConversionFailure_IsListed_NotOnlyTheFirst()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Build(
            "--Health:ProbeInterval=abc",
            "--Health:QuietPeriod=def",
            "--Health:TemperatureLimitC=hot",
            "--DevicePlugin:RegistrationMaxBackoff=never",
            "--Gpu:Simulated:Count=two",
            "--Gpu:Driver=simulated"));

        Assert.Equal(
            ["DevicePlugin:RegistrationMaxBackoff", "Gpu:Simulated:Count", "Health:ProbeInterval", "Health:QuietPeriod", "Health:TemperatureLimitC"],
            error.Problems.Select(p => p.Split(' ')[0]).Order(StringComparer.Ordinal));
        Assert.Contains("Health:TemperatureLimitC is 'hot', which is not a whole number; use digits only, e.g. 10.", error.Problems);
        Assert.StartsWith("The node agent did not start: 5 configuration problems.\n  - ", error.Report, StringComparison.Ordinal);
    }

    [Fact]
    public void ConversionAndValidationErrors_AreReportedTogether()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Build("--Health:ProbeInterval=abc", "--Gpu:Driver=dcgm", "--DevicePlugin:ResourceName=gpu"));

        Assert.Contains(error.Problems, p => p.StartsWith("Health:ProbeInterval is 'abc'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Gpu:Driver is 'dcgm'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("DevicePlugin:ResourceName", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, null, "the service-account token /var/run/secrets/kubernetes.io/serviceaccount/token exists")]
    [InlineData(false, "10.96.0.1", "KUBERNETES_SERVICE_HOST is set")]
    public void SimulatedDriver_InACluster_IsRefusedUnlessAllowed(bool token, string? serviceHost, string evidence)
    {
        var cluster = new ClusterDetector(path => token && path == ClusterDetector.TokenPath, name => name == "KUBERNETES_SERVICE_HOST" ? serviceHost : null);

        var error = Assert.Throws<AgentConfigurationException>(() => Build(cluster, "--Gpu:Driver=simulated"));
        var allowed = Build(cluster, "--Gpu:Driver=simulated", "--Gpu:Simulated:AllowInCluster=true");
        ((IDisposable)allowed).Dispose();

        Assert.Contains($"({evidence})", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void RealDriver_InACluster_IsNotAffected()
    {
        var cluster = new ClusterDetector(_ => true, _ => "10.96.0.1");

        var app = Build(cluster, "--Gpu:Driver=auto", $"--Gpu:DriverRoot={_temp.FullName}");

        ((IDisposable)app).Dispose();
    }

    private WebApplication Build(params string[] args) => Build(ClusterDetector.None, args);

    private WebApplication Build(ClusterDetector cluster, params string[] args) =>
        NodeAgentApp.Build(
            [$"--DevicePlugin:KubeletDirectory={_temp.FullName}", "--Kubernetes:Enabled=false", .. args],
            services => services.AddSingleton(cluster));
}
