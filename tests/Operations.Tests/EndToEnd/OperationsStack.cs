using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Platform.Operations.Tests.Rules;
using Platform.Operations.Tests.Tools;
using Platform.Webhook.Tests.Hosting;

namespace Platform.Operations.Tests.EndToEnd;

/// <summary>
/// The built node agent (simulated GPUs, no kubelet, no API server) and webhook (real TLS) as child processes,
/// and a real Prometheus on loopback scraping both every second with the chart's rules loaded (short <c>for:</c>
/// through values), all in one temp directory.
/// </summary>
internal sealed partial class OperationsStack : IAsyncDisposable
{
    public static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(45);

    /// <summary>The values the rules are rendered with: alerts the test fires hold for seconds, not minutes.</summary>
    public static readonly string[] RuleValues =
    [
        "monitoring.prometheusRule.alerts.gpuUnhealthy.for=\"2s\"",
        "monitoring.prometheusRule.alerts.notRegistered.for=\"2s\"",
        "monitoring.prometheusRule.alerts.gpusNotAdvertised.for=\"2s\"",
    ];

    private readonly TempDirectory _directory = new("platform-e2e-");
    private readonly List<ServiceProcess> _processes = [];
    private X509Certificate2? _certificate;
    private HttpClient? _prometheusHttp;

    private OperationsStack()
    {
    }

    public HttpClient Agent { get; private set; } = null!;

    public HttpClient Webhook { get; private set; } = null!;

    public PrometheusClient Prometheus { get; private set; } = null!;

    public string Logs => string.Join("\n", _processes.Select(p => $"--- {p.Name}\n{p.Output}"));

    public static async Task<OperationsStack> StartAsync()
    {
        var stack = new OperationsStack();
        try
        {
            await stack.StartCoreAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Agent?.Dispose();
        Webhook?.Dispose();
        _prometheusHttp?.Dispose();
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _certificate?.Dispose();
        _directory.Dispose();
    }

    private async Task StartCoreAsync()
    {
        var root = _directory.Path;
        var kubelet = Directory.CreateDirectory(Path.Combine(root, "kubelet")).FullName;
        var noCluster = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = null, ["KUBERNETES_SERVICE_PORT"] = null };
        var agent = Launch("node agent", Dotnet(), [Built("NodeAgentAssembly"),
            "--urls=http://127.0.0.1:0", "--Gpu:Driver=simulated", "--Gpu:Simulated:Count=2",
            $"--DevicePlugin:KubeletDirectory={kubelet}", "--Kubernetes:Enabled=false", "--Metrics:PodAttribution=false",
            "--Metrics:SampleInterval=00:00:01", "--Health:ProbeInterval=00:00:00.5", "--Health:QuietPeriod=00:00:01"], noCluster);

        _certificate = TestCertificates.Create("platform-e2e");
        var certFile = Path.Combine(root, "tls.crt");
        var keyFile = Path.Combine(root, "tls.key");
        TestCertificates.WritePem(_certificate, certFile, keyFile);
        var policy = Path.Combine(root, "policy.yaml");
        await File.WriteAllTextAsync(policy, HostTestPolicies.A10g);
        var webhook = Launch("webhook", Dotnet(), [Built("WebhookAssembly"),
            "--urls=https://127.0.0.1:0", "--Health:Port=0", "--Health:ShutdownDelaySeconds=0",
            $"--Tls:CertFile={certFile}", $"--Tls:KeyFile={keyFile}", $"--Policy:File={policy}"], noCluster);

        var agentUrl = (await agent.WaitForLineAsync(Listening("http"), StartLimit)).Groups[1].Value;
        var webhookUrl = (await webhook.WaitForLineAsync(Listening("https"), StartLimit)).Groups[1].Value;
        var webhookMetrics = (await webhook.WaitForLineAsync(Listening("http"), StartLimit)).Groups[1].Value;
        Agent = new HttpClient { BaseAddress = new Uri(agentUrl), Timeout = TimeSpan.FromSeconds(10) };
        var thumbprint = _certificate.Thumbprint;
        var tls = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == thumbprint };
        Webhook = new HttpClient(tls) { BaseAddress = new Uri(webhookUrl), Timeout = TimeSpan.FromSeconds(10) };

        await RenderedRules.WriteAsync(root, RuleValues);
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(root, "prometheus.yml"), $"""
            global: {"{"}scrape_interval: 1s, evaluation_interval: 1s{"}"}
            rule_files: [{RenderedRules.FileName}]
            scrape_configs:
              - job_name: rel-platform-node-agent
                static_configs: [{"{"}targets: ['{new Uri(agentUrl).Authority}'], labels: {"{"}node: e2e-node{"}"}{"}"}]
              - job_name: rel-platform-webhook
                static_configs: [{"{"}targets: ['{new Uri(webhookMetrics).Authority}']{"}"}]
            """);
        var prometheus = Launch("prometheus", Promtool.PrometheusPath!, [
            "--config.file=prometheus.yml", $"--storage.tsdb.path={Path.Combine(root, "data")}",
            $"--web.listen-address=127.0.0.1:{port}"], null);
        await prometheus.WaitForLineAsync(ReadyLine(), StartLimit);
        _prometheusHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        Prometheus = new PrometheusClient(_prometheusHttp);
    }

    private ServiceProcess Launch(string name, string file, string[] args, IReadOnlyDictionary<string, string?>? environment)
    {
        var process = ServiceProcess.Start(name, file, args, _directory.Path, environment);
        _processes.Add(process);
        return process;
    }

    /// <summary>The dotnet host that runs this test (dotnet test sets DOTNET_HOST_PATH for its children).</summary>
    private static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string Built(string key)
    {
        var path = Path.GetFullPath(typeof(OperationsStack).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!);
        Assert.True(File.Exists(path), $"{path} is not built; build Platform.sln first");
        return path;
    }

    // Prometheus cannot report a port it picked itself; a port free a moment ago is the usual way round.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Regex Listening(string scheme) => new($"Now listening on: ({scheme}://127\\.0\\.0\\.1:\\d+)");

    [GeneratedRegex("Server is ready to receive web requests")]
    private static partial Regex ReadyLine();
}
