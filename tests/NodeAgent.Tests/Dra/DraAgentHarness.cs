using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra;

/// <summary>
/// The real agent in DRA mode with two simulated GPUs, the device plugin off, its kubelet directories in a
/// short temp directory (Unix socket paths stay under 108 bytes) and the loopback HTTPS fake API server.
/// </summary>
internal sealed class DraAgentHarness : IAsyncDisposable
{
    public const string Node = "gpu-node-1";
    public const string Driver = "gpu.raygpu.io";

    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "dra-" + Guid.NewGuid().ToString("N")[..8]));
    private WebApplication? _agent;

    private DraAgentHarness(FakeKubernetesApi api)
    {
        Api = api;
    }

    public FakeKubernetesApi Api { get; }

    public HttpClient Http { get; private set; } = null!;

    public string Registry => Path.Combine(_temp.FullName, "reg");

    public string Cdi => Path.Combine(_temp.FullName, "cdi");

    public string Plugin => Path.Combine(_temp.FullName, "plugin");

    public static async Task<DraAgentHarness> CreateAsync() => new(await FakeKubernetesApi.StartAsync(Node));

    public async Task StartAgentAsync()
    {
        _agent = NodeAgentApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:Count=2",
            "--DevicePlugin:Enabled=false",
            "--Dra:Enabled=true",
            $"--Dra:RegistryDirectory={Registry}",
            $"--Dra:PluginDirectory={Plugin}",
            $"--Dra:CdiDirectory={Cdi}",
            $"--Metrics:PodResourcesSocket={Path.Combine(_temp.FullName, "pod-resources.sock")}",
            $"--Kubernetes:Kubeconfig={Api.WriteKubeconfig(_temp.FullName)}",
            $"--Node:Name={Node}",
        ],
        // The test runner may be a pod itself (DECISIONS 5): the simulated driver is for a laptop here.
        services => services.AddSingleton(ClusterDetector.None));
        await _agent.StartAsync().DefaultTimeout();
        var address = _agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_agent is not null)
        {
            await _agent.StopAsync().DefaultTimeout();
            await _agent.DisposeAsync();
        }

        await Api.DisposeAsync();
        _temp.Delete(recursive: true);
    }
}
