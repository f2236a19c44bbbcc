using System.Globalization;
using Platform.Sandbox.Hosting;
using Platform.Sandbox.Kubelet;
using Platform.Sandbox.Kubernetes;

namespace Platform.Sandbox.Agent;

/// <summary>
/// Step 2: the real node agent in its own process with the simulated driver, pointed at the kubelet simulator's
/// sockets and the fake API server's kubeconfig; its HTTP port serves /metrics and the simulator's fault endpoints.
/// </summary>
internal sealed class AgentRunner : IAsyncDisposable
{
    public const string Step = "step 2 (node agent)";

    /// <summary>The simulated product; the example policy's a10g profile selects nodes labelled with it.</summary>
    public const string Product = "NVIDIA A10G";

    private readonly HttpClient _http;

    private AgentRunner(ChildProcess process, Uri url)
    {
        Process = process;
        Url = url;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    public ChildProcess Process { get; }

    public Uri Url { get; }

    /// <summary>How long the agent waits for Ray to drain a worker before it evicts anyway: short, so a drain that never ends shows in seconds.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);

    public static async Task<AgentRunner> StartAsync(int gpus, KubeletSimulator kubelet, FakeApiServer api, string gcsAddress, string directory, CancellationToken cancellationToken)
    {
        var port = FreePort.Pick();
        var process = ChildProcess.Start("node agent", BuiltPrograms.NodeAgent,
        [
            string.Create(CultureInfo.InvariantCulture, $"--urls=http://127.0.0.1:{port}"),
            "--Gpu:Driver=simulated",
            string.Create(CultureInfo.InvariantCulture, $"--Gpu:Simulated:Count={gpus}"),
            "--Gpu:Simulated:NvLink=true",
            $"--Gpu:Simulated:Product={Product}",
            "--Gpu:Simulated:MemoryMiB=24576",
            $"--DevicePlugin:KubeletDirectory={kubelet.DevicePluginDirectory}",
            $"--Metrics:PodResourcesSocket={kubelet.PodResourcesSocket}",
            // Fast enough to watch: a fault shows in metrics and ListAndWatch within a second.
            "--Metrics:SampleInterval=00:00:00.250",
            "--Metrics:AttributionRefreshInterval=00:00:01",
            "--Health:ProbeInterval=00:00:00.250",
            "--Health:QuietPeriod=00:00:01",
            $"--Kubernetes:Kubeconfig={api.WriteKubeconfig(directory)}",
            $"--Node:Name={api.NodeName}",
            // Remediation in its fullest mode: annotate, drain the Ray worker through the simulated GCS, evict.
            "--Remediation:Mode=Evict",
            string.Create(CultureInfo.InvariantCulture, $"--Remediation:DrainTimeout={DrainTimeout:c}"),
            "--Remediation:StatusPollInterval=00:00:00.250",
            $"--Remediation:GcsAddress={gcsAddress}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        var agent = new AgentRunner(process, url);
        try
        {
            await Readiness.WaitAsync(process, agent._http, new Uri(url, "healthz"), Step, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return agent;
        }
        catch
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<IReadOnlyList<MetricSample>> ScrapeAsync(CancellationToken cancellationToken) =>
        MetricsText.Parse(await _http.GetStringAsync(new Uri(Url, "metrics"), cancellationToken).ConfigureAwait(false));

    /// <summary>Polls /metrics (the agent samples every 250 ms) until <paramref name="condition"/> holds for the GPU rows.</summary>
    public async Task<IReadOnlyList<GpuRow>> WaitForMetricsAsync(Func<IReadOnlyList<GpuRow>, bool> condition, string what, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        IReadOnlyList<GpuRow> rows = [];
        try
        {
            while (true)
            {
                rows = GpuRow.From(await ScrapeAsync(deadline.Token).ConfigureAwait(false));
                if (condition(rows))
                {
                    return rows;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the agent's metrics did not show {what} within 20 s; last rows: {string.Join("; ", rows)}");
        }
    }

    /// <summary>POSTs to the simulated driver's fault endpoint, e.g. <c>xid?gpu=1&amp;xid=79</c>; returns its answer.</summary>
    public async Task<string> SimulateAsync(string action, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(new Uri(Url, $"simulator/{action}"), null, cancellationToken).ConfigureAwait(false);
        var text = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
        return response.IsSuccessStatusCode ? text : throw new HttpRequestException($"POST /simulator/{action} returned {(int)response.StatusCode}: {text}");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
