using System.Net;
using Platform.NodeAgent.Tests.FakeDriver;
using Platform.NodeAgent.Tests.Gpu;

namespace Platform.NodeAgent.Tests.Startup;

/// <summary>The agent's start-up as a DaemonSet or a person runs it: its own process, exit codes, stdout and stderr.</summary>
public sealed class AgentStartupProcessTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "nas-" + Guid.NewGuid().ToString("N")[..8]));

    private string PluginDirectory => Path.Combine(_temp.FullName, "device-plugins");

    public void Dispose() => _temp.Delete(recursive: true);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_PrintsUsageAndExitsWithoutTouchingDiskOrNetwork(string flag)
    {
        var (exitCode, output, error) = await AgentProcess.RunAsync([flag, "--Gpu:Driver=simulated", $"--DevicePlugin:KubeletDirectory={PluginDirectory}"]);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("Usage: Platform.NodeAgent", output, StringComparison.Ordinal);
        Assert.Contains("--Gpu:Simulated:AllowInCluster=true", output, StringComparison.Ordinal);
        Assert.Empty(error);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(PluginDirectory));
    }

    [Fact]
    public async Task Version_PrintsTheVersionAndExits()
    {
        var (exitCode, output, error) = await AgentProcess.RunAsync(["--version", $"--DevicePlugin:KubeletDirectory={PluginDirectory}"]);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^Platform\.NodeAgent \d+\.\d+\.\d+\S*\n$", output);
        Assert.Empty(error);
        Assert.False(Directory.Exists(PluginDirectory));
    }

    [Fact]
    public async Task BadOptions_AreAllListedWithTheirKeys_ExitTwo_NoStackTrace()
    {
        var (exitCode, output, error) = await AgentProcess.RunAsync(
        [
            "--Health:ProbeInterval=abc",
            "--Health:QuietPeriod=soon",
            "--Metrics:PodAttribution=maybe",
            "--Gpu:Driver=dcgm",
            "--Gpu:Drivr=nvml",
            "--Health:ProbeIntervalSeconds=10",
            "--Bogus=1",
            $"--DevicePlugin:KubeletDirectory={PluginDirectory}",
            "--urls=http://127.0.0.1:0",
        ]);

        Assert.Equal(2, exitCode);
        Assert.Contains("7 configuration problems", error, StringComparison.Ordinal);
        Assert.Contains("Health:ProbeInterval is 'abc', which is not a duration", error, StringComparison.Ordinal);
        Assert.Contains("Health:QuietPeriod is 'soon', which is not a duration", error, StringComparison.Ordinal);
        Assert.Contains("Metrics:PodAttribution is 'maybe', which is not a boolean; use true or false", error, StringComparison.Ordinal);
        Assert.Contains("Gpu:Driver is 'dcgm'; use one of auto, nvml, cuda, simulated", error, StringComparison.Ordinal);
        Assert.Contains("--Gpu:Drivr is not a key the agent knows. Known keys in section Gpu: Gpu:Driver,", error, StringComparison.Ordinal);
        Assert.Contains("--Health:ProbeIntervalSeconds is not a key the agent knows. Known keys in section Health: Health:FatalXids, Health:IgnoredXids, Health:ProbeInterval,", error, StringComparison.Ordinal);
        Assert.Contains("--Bogus is not a key the agent knows. Its sections are DevicePlugin, Dra, Gpu, Health, Kubernetes, Labels, Metrics, Mig, Node, Remediation;", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Empty(output);
        Assert.False(Directory.Exists(PluginDirectory));
    }

    [NoGpuFact]
    public async Task NoDriver_WithFailOnInitError_SaysWhichSettingAndWhy_ExitTwo_NoStackTrace()
    {
        var (exitCode, output, error) = await AgentProcess.RunAsync(
        [
            "--Gpu:Driver=nvml",
            $"--Gpu:DriverRoot={_temp.FullName}",
            "--Gpu:FailOnInitError=true",
            "--Kubernetes:Enabled=false",
            $"--DevicePlugin:KubeletDirectory={PluginDirectory}",
            "--urls=http://127.0.0.1:0",
        ]);

        Assert.Equal(2, exitCode);
        var problem = Assert.Single(error.Split('\n'), line => line.Contains("Gpu:FailOnInitError", StringComparison.Ordinal));
        Assert.Contains("No GPU driver could be opened and Gpu:FailOnInitError is true; set it to false to start without GPUs.", problem, StringComparison.Ordinal);
        Assert.Contains($"libnvidia-ml.so.1 was not found under driver root '{_temp.FullName}'", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("the agent runs and advertises no GPUs", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(PluginDirectory));
    }

    [Fact]
    public async Task Logs_AreJsonLinesByDefault()
    {
        var (agent, _) = await AgentProcess.StartAsync(
        [
            "--Gpu:Driver=simulated",
            "--Kubernetes:Enabled=false",
            $"--DevicePlugin:KubeletDirectory={PluginDirectory}",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
        ]);
        await using (agent)
        {
            Assert.Equal(0, await agent.TerminateAsync());
            Assert.All(agent.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("{\"Timestamp\":", line, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task SimulatedDriver_InACluster_IsRefusedWithTheWayOut()
    {
        var (exitCode, _, error) = await AgentProcess.RunAsync(
            ["--Gpu:Driver=simulated", $"--DevicePlugin:KubeletDirectory={PluginDirectory}", "--urls=http://127.0.0.1:0"],
            new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" });

        Assert.Equal(2, exitCode);
        Assert.Contains("Gpu:Driver is 'simulated' but the agent runs in a Kubernetes cluster (KUBERNETES_SERVICE_HOST is set)", error, StringComparison.Ordinal);
        Assert.Contains("Gpu:Simulated:AllowInCluster=true", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(PluginDirectory));
    }

    [Fact]
    public async Task SimulatedDriver_AllowedInCluster_WarnsAndServesFaultInjectionToLoopback_InReadableLogs()
    {
        var (agent, http) = await AgentProcess.StartAsync(
        [
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:AllowInCluster=true",
            "--Kubernetes:Enabled=false",
            "--Logging:Console:FormatterName=simple",
            $"--DevicePlugin:KubeletDirectory={PluginDirectory}",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
        ],
        new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1" });
        await using (agent)
        {
            using var xid = await http.PostAsync("/simulator/xid?gpu=0&xid=79", null).DefaultTimeout();
            var exitCode = await agent.TerminateAsync();

            Assert.Equal(HttpStatusCode.OK, xid.StatusCode);
            Assert.Equal(0, exitCode);
            Assert.Contains("warn: Platform.NodeAgent[190] Simulated GPUs are advertised inside a Kubernetes cluster (KUBERNETES_SERVICE_HOST is set)", agent.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("{\"Timestamp\"", agent.Log, StringComparison.Ordinal);
            Assert.Contains("info: Platform.NodeAgent.Gpu.GpuRuntime[150] GPU driver simulated found 2 GPUs", agent.Log, StringComparison.Ordinal);
        }
    }
}
