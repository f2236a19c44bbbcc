using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Chart.Tests;
using Platform.Operations.Tests.Dashboards;
using Platform.Operations.Tests.Rules;
using Platform.Operations.Tests.Tools;

namespace Platform.Operations.Tests.EndToEnd;

/// <summary>
/// The operations pack against a real Prometheus scraping the real node agent and webhook: the dashboard's
/// queries return data, an XID 79 fires the GPU alerts and a reset resolves them, admissions reach the panels.
/// </summary>
[Trait("Category", "E2E")]
public sealed partial class OperationsEndToEndTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Panels with no data in this sandbox, and why. Ray attribution needs pods: the kubelet's pod-resources API
    /// names the pod holding each GPU and the API server its Ray labels, and neither exists here (their
    /// recording rules are proven by promtool unit tests instead). Allocate latency needs the kubelet to call
    /// Allocate; until it does the histogram is empty and its quantile NaN.
    /// </summary>
    private static readonly Dictionary<string, string> Exempt = new(StringComparer.Ordinal)
    {
        ["GPUs held by pods"] = "needs pods holding GPUs",
        ["GPU utilisation by Ray cluster"] = "needs Ray pods holding GPUs",
        ["GPU utilisation by group"] = "needs Ray pods holding GPUs",
        ["GPU memory used by group"] = "needs Ray pods holding GPUs",
        ["Power by Ray cluster"] = "needs Ray pods holding GPUs",
        ["GPUs held and idle by Ray cluster"] = "needs Ray pods holding GPUs",
        ["GPU-hours by namespace (dashboard range)"] = "needs pods holding GPUs",
        ["GPU-hours by Ray cluster (dashboard range)"] = "needs Ray pods holding GPUs",
        ["Pods on the GPUs"] = "needs pods holding GPUs",
        ["Allocate latency p99"] = "needs the kubelet's Allocate calls",
        // GPU fault remediation acts on the pod holding a failed GPU through the API server: neither exists here
        // (the agent runs with Kubernetes:Enabled=false). Their names are checked against the agent's page below.
        ["Remediations by action and result"] = "needs a pod on a failed GPU and the API server",
        ["Remediations in flight and degraded nodes"] = "needs a pod on a failed GPU and the API server",
        ["Remediation safety rail trips"] = "needs a pod on a failed GPU and the API server",
        ["Fault to Ray drain accepted"] = "needs a Ray worker on a failed GPU and its GCS",
        ["Fault to eviction"] = "needs a pod on a failed GPU and the API server",
    };

    [PromtoolFact(Timeout = 150_000)]
    public async Task Stack_XidAdmissionsAndReset_ReachAlertsAndEveryPanel()
    {
        await using var stack = await OperationsStack.StartAsync();
        try
        {
            await Eventually.ThatAsync("both targets up", Limit, async () =>
            {
                var up = await stack.Prometheus.QueryAsync("up == 1");
                return (up.Count == 2, 0, $"{up.Count} targets up");
            });

            await AdmitAsync(stack);
            await PostAsync(stack.Agent, "/simulator/xid?gpu=0&xid=79");

            var fired = await Eventually.ThatAsync("RayGpuUnhealthy and RayGpuFatalXid firing for GPU 0", Limit, async () =>
            {
                var alerts = await stack.Prometheus.AlertsAsync();
                var firing = alerts.Where(a => a.State == "firing").ToList();
                var done = firing.Any(a => Is(a, "RayGpuUnhealthy", "0")) && firing.Any(a => Is(a, "RayGpuFatalXid", "0"));
                return (done, firing, Describe(alerts));
            });
            Assert.DoesNotContain(fired, a => a.Labels.GetValueOrDefault("gpu") == "1");
            Assert.Contains(fired, a => a.Labels["alertname"] == "RayNodeAgentNotRegistered" && a.Labels["resource"] == "nvidia.com/gpu");

            await Eventually.ThatAsync("every dashboard panel has data", Limit, async () =>
            {
                var missing = new List<string>();
                foreach (var query in DashboardQueries.All().Where(q => !Exempt.ContainsKey(q.Panel)))
                {
                    var samples = await stack.Prometheus.QueryAsync(query.Query);
                    if (!samples.Any(s => !double.IsNaN(s.Value)))
                    {
                        missing.Add($"{query.Panel} ({query.RefId})");
                    }
                }

                return (missing.Count == 0, 0, "no data: " + string.Join(", ", missing));
            });

            // The node and GPU variables list this agent's node and GPUs; namespace and Ray cluster need pods,
            // cluster an external label of a multi-cluster setup.
            var node = Assert.Single(await stack.Prometheus.LabelValuesAsync("Hostname", "raygpu_info"));
            Assert.Equal(["0", "1"], await stack.Prometheus.LabelValuesAsync("gpu", $"DCGM_FI_DEV_GPU_UTIL{{Hostname=~\"{node}\"}}"));

            await Eventually.ThatAsync("admissions in the webhook panels", Limit, async () =>
            {
                var byDecision = await stack.Prometheus.QueryAsync(Panel("Admissions by decision"));
                var byKind = await stack.Prometheus.QueryAsync(Panel("Admissions by pod kind"));
                var done = Positive(byDecision, "decision", "patched") && Positive(byDecision, "decision", "allowed")
                    && Positive(byKind, "pod_kind", "worker") && Positive(byKind, "pod_kind", "other");
                return (done, 0, $"by decision {Describe(byDecision)}; by kind {Describe(byKind)}");
            });

            await PostAsync(stack.Agent, "/simulator/reset?gpu=0");
            await Eventually.ThatAsync("the GPU alerts resolved after the reset", Limit, async () =>
            {
                var alerts = await stack.Prometheus.AlertsAsync();
                var done = !alerts.Any(a => Is(a, "RayGpuUnhealthy", "0") || Is(a, "RayGpuFatalXid", "0"));
                return (done, 0, Describe(alerts));
            });
        }
        catch (Exception ex) when (ex is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + stack.Logs[^Math.Min(stack.Logs.Length, 8000)..], ex);
        }
    }

    /// <summary>
    /// Every node-agent series the dashboard and the rules read is one the agent writes (its <c># TYPE</c> lines; a
    /// histogram's _bucket, _sum and _count by its base name), exempt panels included: a misspelt name would
    /// otherwise show as an empty panel or an alert that never fires.
    /// </summary>
    private static readonly string[] DraOnlySeries = ["raygpu_dra_plugin_registered"];

    [PromtoolFact(Timeout = 150_000)]
    public async Task Stack_AgentMetricsTheDashboardAndRulesRead_AreOnTheAgentsPage()
    {
        var rules = await RenderedRules.RenderAsync().WaitAsync(Limit);
        var read = AgentSeries().Matches(rules + "\n" + string.Join("\n", DashboardQueries.All().Select(q => q.Expr)))
            .Select(m => m.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await using var stack = await OperationsStack.StartAsync();

        var page = await stack.Agent.GetStringAsync(new Uri("/metrics", UriKind.Relative)).WaitAsync(Limit);

        var written = TypeLine().Matches(page).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        // The stack's agent runs in device-plugin mode; what only a DRA-mode agent writes is taken from the writer
        // itself (its golden text is tested in NodeAgent.Tests, Dra/DraMetricsTests).
        var writer = await File.ReadAllTextAsync(Path.Combine(Helm.RepositoryRoot, "src", "NodeAgent", "Metrics", "MetricsWriter.cs")).WaitAsync(Limit);
        foreach (var draOnly in DraOnlySeries)
        {
            Assert.Contains($"Header(output, \"{draOnly}\", ", writer, StringComparison.Ordinal);
            written.Add(draOnly);
        }

        Assert.Contains("raygpu_devices", read);
        Assert.Contains("raygpu_remediations_total", read);
        var missing = read.Where(name => !written.Contains(name) && !written.Contains(HistogramSuffix().Replace(name, ""))).ToList();
        Assert.True(missing.Count == 0, "read but not written by the agent: " + string.Join(", ", missing));
    }

    [Fact]
    public void Exemptions_NameRealPanels()
    {
        var panels = DashboardQueries.All().Select(q => q.Panel).ToHashSet(StringComparer.Ordinal);

        Assert.All(Exempt.Keys, title => Assert.Contains(title, panels));
        Assert.True(panels.Count - Exempt.Count >= 20, $"only {panels.Count - Exempt.Count} panels are checked end to end");
    }

    /// <summary>Two GPU workers (patched), a plain pod (allowed) and a GET that /mutate refuses (405).</summary>
    private static async Task AdmitAsync(OperationsStack stack)
    {
        var fixture = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "EndToEnd", "gpu-worker-admission-review.json"));
        for (var i = 0; i < 3; i++)
        {
            var review = JsonNode.Parse(fixture)!.AsObject();
            review["request"]!["uid"] = $"e2e-{i}";
            if (i == 2)
            {
                var metadata = review["request"]!["object"]!["metadata"]!.AsObject();
                metadata["labels"] = new JsonObject { ["app"] = "web" };
                metadata.Remove("ownerReferences");
            }

            using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await stack.Webhook.PostAsync(new Uri("/mutate", UriKind.Relative), content);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"e2e-{i}", (string?)answer["response"]!["uid"]);
            Assert.Equal(i < 2, answer["response"]!["patch"] is not null);
        }

        using var refused = await stack.Webhook.GetAsync(new Uri("/mutate", UriKind.Relative));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
    }

    private static async Task PostAsync(HttpClient client, string path)
    {
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A node-agent series name: raygpu_* (not the webhook's, not inside a recorded name) or DCGM_FI_*.</summary>
    [GeneratedRegex(@"(?<![:\w])(?!raygpu_webhook_)(raygpu_[a-z0-9_]+|DCGM_FI_[A-Z0-9_]+)(?![:\w])")]
    private static partial Regex AgentSeries();

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex HistogramSuffix();

    private static string Panel(string title) => DashboardQueries.All().First(q => q.Panel == title).Query;

    private static bool Is(ActiveAlert alert, string name, string gpu) =>
        alert.Labels["alertname"] == name && alert.Labels.GetValueOrDefault("gpu") == gpu;

    private static bool Positive(IReadOnlyList<QuerySample> samples, string label, string value) =>
        samples.Any(s => s.Labels.GetValueOrDefault(label) == value && s.Value > 0);

    private static string Describe(IEnumerable<ActiveAlert> alerts) =>
        string.Join("; ", alerts.Select(a => $"{a.Labels["alertname"]}{{gpu={a.Labels.GetValueOrDefault("gpu")}}} {a.State}"));

    private static string Describe(IEnumerable<QuerySample> samples) =>
        string.Join(", ", samples.Select(s => $"{string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))}={s.Value}"));
}
