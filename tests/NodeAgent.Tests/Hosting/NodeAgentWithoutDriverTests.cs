using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Tests.Gpu;

namespace Platform.NodeAgent.Tests.Hosting;

/// <summary>A node without a driver and without Kubernetes access: the agent runs, advertises nothing, says why.</summary>
public sealed class NodeAgentWithoutDriverTests
{
    [NoGpuFact]
    public async Task Agent_NoDriverNoApi_RunsAdvertisesNothingAndExplains()
    {
        var temp = Directory.CreateDirectory(Path.Combine("/tmp", "na-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            await using var kubelet = await FakeKubelet.StartAsync(temp.FullName);
            var agent = NodeAgentApp.Build(
            [
                "--urls=http://127.0.0.1:0",
                "--Gpu:Driver=auto",
                $"--Gpu:DriverRoot={temp.FullName}",
                $"--DevicePlugin:KubeletDirectory={temp.FullName}",
                "--Kubernetes:Enabled=false",
                "--Metrics:PodAttribution=false",
            ]);
            await agent.StartAsync().DefaultTimeout();
            var address = agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };

            var plugin = await kubelet.NextRegistrationAsync().DefaultTimeout();
            var list = await plugin.NextListAsync().DefaultTimeout();
            using var ready = await http.GetAsync("/readyz").DefaultTimeout();
            var readiness = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
            using var simulator = await http.PostAsync("/simulator/xid?gpu=0&xid=79", null).DefaultTimeout();
            var metrics = await http.GetStringAsync("/metrics").DefaultTimeout();
            await agent.StopAsync().DefaultTimeout();
            await agent.DisposeAsync();

            Assert.Empty(list.Devices);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var checks = readiness["checks"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => ((string)c!["status"]!, (string)c["detail"]!));
            Assert.Equal("failing", checks["gpu"].Item1);
            Assert.Contains("libnvidia-ml.so.1", checks["gpu"].Item2, StringComparison.Ordinal);
            Assert.Equal("degraded", checks["kubernetes"].Item1);
            Assert.Equal(("degraded", "no GPU driver, so XID/ECC events are not watched"), checks["health-events"]);
            Assert.Equal(HttpStatusCode.NotFound, simulator.StatusCode);
            Assert.Contains("raygpu_devices{state=\"healthy\"} 0", metrics, StringComparison.Ordinal);
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
