using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Simulated;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Tests.Metrics;

/// <summary>
/// The cached /metrics page over the real host: the sampler runs once at start and then not for an hour,
/// so only the page's invalidation can make a change show up in the next scrape.
/// </summary>
public sealed class MetricsPageTests : IAsyncLifetime
{
    private readonly DirectoryInfo _temp = Directory.CreateDirectory(Path.Combine("/tmp", "na-" + Guid.NewGuid().ToString("N")[..8]));
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeKubelet _kubelet = null!;
    private WebApplication _agent = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _kubelet = await FakeKubelet.StartAsync(_temp.FullName);
        _agent = NodeAgentApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Gpu:Driver=simulated",
            "--Gpu:Simulated:Count=2",
            "--Metrics:SampleInterval=01:00:00",
            "--Metrics:PodAttribution=false",
            "--Kubernetes:Enabled=false",
            $"--DevicePlugin:KubeletDirectory={_temp.FullName}",
        ],
        services =>
        {
            services.AddSingleton<IDevicePluginObserver>(new RegisteredObserver(_registered));

            // The test runner may be a pod itself (DECISIONS 5).
            services.AddSingleton(Platform.NodeAgent.Gpu.ClusterDetector.None);
        });
        await _agent.StartAsync().DefaultTimeout();
        var address = _agent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
        // After the agent's own observer counted the registration and the first device list (observers run in registration order).
        await _registered.Task.DefaultTimeout();

        // The one sample at start runs on the sampler's own task; wait for it rather than race it.
        var sampler = _agent.Services.GetRequiredService<GpuSampler>();
        var sampled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sampler.Sampled += () => sampled.TrySetResult();
        if (ReferenceEquals(sampler.Snapshot, GpuSnapshot.Empty))
        {
            await sampled.Task.DefaultTimeout();
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _agent.StopAsync().DefaultTimeout();
        await _agent.DisposeAsync();
        await _kubelet.DisposeAsync();
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task Scrape_AfterAgentCounterChange_ShowsTheNewValue()
    {
        var before = Value(await _http.GetStringAsync("/metrics").DefaultTimeout(), "raygpu_nvml_errors_total");

        _agent.Services.GetRequiredService<AgentMetrics>().CountNvmlError();
        var after = Value(await _http.GetStringAsync("/metrics").DefaultTimeout(), "raygpu_nvml_errors_total");

        Assert.Equal(before + 1, after);
    }

    [Fact]
    public async Task Scrape_AfterXid_ShowsTheNewLastXid()
    {
        var before = await _http.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Matches("DCGM_FI_DEV_XID_ERRORS\\{gpu=\"0\",[^}]*\\} 0\n", before);

        Assert.True(_agent.Services.GetRequiredService<GpuHealthTracker>().OnEvent(new GpuEvent(SimulatedGpuDriver.UuidFor(0), GpuEventKind.Xid, 79)));
        var after = await _http.GetStringAsync("/metrics").DefaultTimeout();

        Assert.Matches("DCGM_FI_DEV_XID_ERRORS\\{gpu=\"0\",[^}]*\\} 79\n", after);
        Assert.Contains("raygpu_health_transitions_total{reason=\"xid-79\",to=\"unhealthy\"} 1", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_AfterRegistration_ShowsTheResourceRegisteredWithBothGpus()
    {
        var page = await _http.GetStringAsync("/metrics").DefaultTimeout();

        Assert.Contains("raygpu_device_plugin_registered{resource=\"nvidia.com/gpu\"} 1\n", page, StringComparison.Ordinal);
        Assert.Contains("raygpu_advertised_gpus{resource=\"nvidia.com/gpu\"} 2\n", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_AfterDeviceListAndLostRegistration_ShowsWhatTheKubeletWasTold()
    {
        // A resource of its own: the real nvidia.com/gpu gets its device list from the fake kubelet's stream at any time.
        var observer = _agent.Services.GetServices<IDevicePluginObserver>().OfType<Platform.NodeAgent.Inventory.DevicePluginObserver>().Single();

        observer.OnEvent(new DeviceListSent("example.com/gpu", 7, 3, 1, 1, TimeSpan.Zero) { Gpus = 2 });
        observer.OnEvent(new RegistrationFailed("example.com/gpu", 1, "kubelet.sock refused", TimeSpan.FromSeconds(1)));
        var page = await _http.GetStringAsync("/metrics").DefaultTimeout();

        Assert.Contains("raygpu_advertised_gpus{resource=\"example.com/gpu\"} 2\n", page, StringComparison.Ordinal);
        Assert.Contains("raygpu_advertised_devices{resource=\"example.com/gpu\",health=\"unhealthy\"} 1\n", page, StringComparison.Ordinal);
        Assert.Contains("raygpu_device_plugin_registered{resource=\"example.com/gpu\"} 0\n", page, StringComparison.Ordinal);

        observer.OnEvent(new PluginStopped("example.com/gpu"));
        Assert.Contains("raygpu_advertised_gpus{resource=\"example.com/gpu\"} 0\n", await _http.GetStringAsync("/metrics").DefaultTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_Unchanged_ServesTheSamePage()
    {
        var page = _agent.Services.GetRequiredService<MetricsPage>();
        var first = await _http.GetByteArrayAsync("/metrics").DefaultTimeout();
        var second = await _http.GetByteArrayAsync("/metrics").DefaultTimeout();

        Assert.Equal(first, second);
        Assert.Equal(first, page.Current().ToArray());
        Assert.Contains("DCGM_FI_DEV_GPU_UTIL{gpu=\"1\"", System.Text.Encoding.UTF8.GetString(second), StringComparison.Ordinal);
    }

    private sealed class RegisteredObserver(TaskCompletionSource registered) : IDevicePluginObserver
    {
        private int _seen;

        public void OnEvent(DevicePluginEvent pluginEvent)
        {
            // Both change the page, so the tests start once both have been counted. Either may come first: the
            // kubelet may open ListAndWatch before its Register call has returned to the plugin.
            var flag = pluginEvent switch
            {
                PluginRegistered => 1,
                DeviceListSent => 2,
                _ => 0,
            };
            if ((Interlocked.Or(ref _seen, flag) | flag) == 3)
            {
                registered.TrySetResult();
            }
        }
    }

    private static long Value(string metrics, string name) =>
        long.Parse(Regex.Match(metrics, $"^{name} (\\d+)$", RegexOptions.Multiline).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
}
