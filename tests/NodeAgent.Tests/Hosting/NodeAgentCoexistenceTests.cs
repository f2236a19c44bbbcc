using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Hosting;

/// <summary>
/// The agent beside another device plugin on a node, and on a laptop with no cluster at all: what it leaves
/// alone, what it says (once), and what /readyz reports.
/// </summary>
public sealed class NodeAgentCoexistenceTests : IAsyncLifetime
{
    private const string NodeName = "gpu-node-1";
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "nao-" + Guid.NewGuid().ToString("N")[..8]));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _temp.Delete(recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AnotherLivePlugin_KeepsItsSocket_NodeEventAndReadinessSayWhy_ThenTheAgentTakesOver()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_temp.FullName);
        await using var api = await FakeKubernetesApi.StartAsync(NodeName);
        var other = await OtherDevicePlugin.StartAsync(Path.Combine(_temp.FullName, "nvidia-gpu.sock"));
        var inUse = new WaitingObserver(e => e is PluginSocketInUse);
        var (agent, http) = await StartAsync(
            [
                $"--Kubernetes:Kubeconfig={api.WriteKubeconfig(_temp.FullName)}",
                $"--Node:Name={NodeName}",
                "--DevicePlugin:RegistrationMaxBackoff=00:00:00.500",
            ],
            inUse);
        try
        {
            await inUse.Seen.DefaultTimeout();
            var nodeEvent = JsonNode.Parse((await api.Events.Reader.ReadAsync().AsTask().DefaultTimeout()).Body)!;
            var (status, checks) = await ReadyAsync(http);

            Assert.Equal(("Warning", "DevicePluginSocketInUse", NodeName), ((string?)nodeEvent["type"], (string?)nodeEvent["reason"], (string?)nodeEvent["regarding"]!["name"]));
            Assert.Contains("nvidia-gpu.sock is served by another live device plugin", (string?)nodeEvent["note"], StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("failing", checks["device-plugin nvidia.com/gpu"].Status);
            Assert.Contains("served by another live process", checks["device-plugin nvidia.com/gpu"].Detail, StringComparison.Ordinal);
            Assert.True(await other.AnswersAsync());

            // The other plugin is switched off: the agent listens, registers and is ready.
            await other.DisposeAsync();
            var registration = await kubelet.NextRegistrationAsync().DefaultTimeout();
            Assert.Equal("nvidia-gpu.sock", registration.Request.Endpoint);
            Assert.Equal(2, (await registration.NextListAsync().DefaultTimeout()).Devices.Count);
        }
        finally
        {
            http.Dispose();
            await agent.StopAsync().DefaultTimeout();
            await agent.DisposeAsync();
            await other.DisposeAsync();
        }
    }

    [Fact]
    public async Task Laptop_NoClusterNoKubelet_SaysEachOnce_AndReadinessExplains()
    {
        var logs = new RecordingLoggerProvider();
        var thirdTry = new WaitingObserver(e => e is RegistrationFailed { Attempt: 3 });
        var (agent, http) = await StartAsync(
            [
                // An empty kubeconfig setting and no in-cluster detection: exactly a laptop without a cluster,
                // whatever KUBECONFIG or service account the test runner itself has.
                "--Kubernetes:Kubeconfig=",
                "--DevicePlugin:RegistrationInitialBackoff=00:00:00.050",
            ],
            thirdTry,
            logs);
        try
        {
            await thirdTry.Seen.DefaultTimeout();
            var (status, checks) = await ReadyAsync(http);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("failing", checks["device-plugin nvidia.com/gpu"].Status);
            Assert.Contains("no kubelet", checks["device-plugin nvidia.com/gpu"].Detail, StringComparison.Ordinal);
            Assert.Equal(("degraded", "no cluster found (no in-cluster service account, no KUBECONFIG); Node labels, taints, Node Events and Ray attribution are off"), checks["kubernetes"]);
            Assert.Equal("ok", checks["gpu"].Status);

            var entries = logs.Entries.ToArray();
            var noCluster = Assert.Single(entries, e => e.Category.EndsWith("KubernetesConnection", StringComparison.Ordinal));
            Assert.Equal((500, LogLevel.Information), (noCluster.EventId, noCluster.Level));
            var noKubelet = Assert.Single(entries, e => e.Category.EndsWith("EventPublisher", StringComparison.Ordinal) && e.EventId == 115);
            Assert.Equal(LogLevel.Information, noKubelet.Level);
            Assert.DoesNotContain(entries, e => e.Category.EndsWith("EventPublisher", StringComparison.Ordinal) && e.Level >= LogLevel.Warning);
            Assert.DoesNotContain(entries, e => e.Category.EndsWith("NodeLabelPublisher", StringComparison.Ordinal) && e.Level >= LogLevel.Warning);
            Assert.All(entries, e => Assert.True(e.Message.Length < 500, e.Message));
        }
        finally
        {
            http.Dispose();
            await agent.StopAsync().DefaultTimeout();
            await agent.DisposeAsync();
        }
    }

    private static async Task<(HttpStatusCode Status, Dictionary<string, (string Status, string Detail)> Checks)> ReadyAsync(HttpClient http)
    {
        using var ready = await http.GetAsync("/readyz").DefaultTimeout();
        var readiness = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        return (ready.StatusCode, readiness["checks"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => ((string)c!["status"]!, (string)c["detail"]!)));
    }

    private async Task<(WebApplication Agent, HttpClient Http)> StartAsync(string[] args, IDevicePluginObserver observer, ILoggerProvider? logs = null)
    {
        var agent = NodeAgentApp.Build(
            [
                "--urls=http://127.0.0.1:0",
                "--Gpu:Driver=simulated",
                $"--DevicePlugin:KubeletDirectory={_temp.FullName}",
                $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
                .. args,
            ],
            services =>
            {
                services.AddSingleton(observer);
                services.AddSingleton(ClusterDetector.None);
                if (logs is not null)
                {
                    services.AddSingleton(logs);
                }
            });
        await agent.StartAsync().DefaultTimeout();
        var address = agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (agent, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) });
    }
}
