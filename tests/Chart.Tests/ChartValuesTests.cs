using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;
using Platform.Webhook.Policy;

namespace Platform.Chart.Tests;

/// <summary>The chart with other value sets: cert-manager, one component only, policy, admission and agent settings, bad values.</summary>
public sealed class ChartValuesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chart-values-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task CertManager_IssuesTheCertificateAndInjectsTheCa()
    {
        var chart = await RenderedChart.RenderAsync("--set", "webhook.tls.certManager.enabled=true").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain("Secret", chart.Kinds);
        var configuration = chart.Single("MutatingWebhookConfiguration");
        Assert.Equal("ray-system/rel-platform-webhook-serving", (string?)configuration["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]);
        Assert.Null(configuration["webhooks"]![0]!["clientConfig"]!["caBundle"]);
        var serving = chart.Find("Certificate", "rel-platform-webhook-serving");
        Assert.NotNull(serving);
        Assert.Contains("rel-platform-webhook.ray-system.svc", serving!["spec"]!["dnsNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("rel-platform-webhook-ca", (string?)serving["spec"]!["issuerRef"]!["name"]);
        var ca = chart.Find("Certificate", "rel-platform-webhook-ca");
        Assert.True((bool?)ca!["spec"]!["isCA"]);
        Assert.Equal(2, chart.All("Issuer").Count());
        var secretName = (string?)serving["spec"]!["secretName"];
        var volume = chart.Single("Deployment")["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "tls")!;
        Assert.Equal(secretName, (string?)volume["secret"]!["secretName"]);
    }

    [Fact]
    public async Task CertManager_WithOwnIssuer_CreatesNoIssuers()
    {
        var chart = await RenderedChart.RenderAsync(
            "--set", "webhook.tls.certManager.enabled=true",
            "--set", "webhook.tls.certManager.issuerRef.name=corp-ca",
            "--set", "webhook.tls.certManager.issuerRef.kind=ClusterIssuer").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain("Issuer", chart.Kinds);
        var certificate = chart.Single("Certificate");
        Assert.Equal("""{"kind":"ClusterIssuer","name":"corp-ca"}""", certificate["spec"]!["issuerRef"]!.ToJsonString());
    }

    [Fact]
    public async Task ExistingSecret_UsesItWithTheGivenCaBundle()
    {
        var chart = await RenderedChart.RenderAsync("--set", "webhook.tls.existingSecret=my-tls", "--set", "webhook.tls.caBundle=Q0E=").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain("Secret", chart.Kinds);
        Assert.Equal("Q0E=", (string?)chart.Single("MutatingWebhookConfiguration")["webhooks"]![0]!["clientConfig"]!["caBundle"]);
        var volume = chart.Single("Deployment")["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "tls")!;
        Assert.Equal("my-tls", (string?)volume["secret"]!["secretName"]);
    }

    [Fact]
    public async Task ExistingSecret_WithoutCaBundle_FailsWithTheFix()
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", "webhook.tls.existingSecret=my-tls").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("set webhook.tls.caBundle", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("webhook.replicas=1")]
    [InlineData("webhook.podDisruptionBudget.minAvailable=2")]
    public async Task PodDisruptionBudget_ThatWouldBlockDrains_IsRefused(string setting)
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", setting).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("would block every node drain", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SingleReplica_WithoutPdb_Renders()
    {
        var chart = await RenderedChart.RenderAsync("--set", "webhook.replicas=1", "--set", "webhook.podDisruptionBudget.enabled=false").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain("PodDisruptionBudget", chart.Kinds);
        Assert.Equal(1, (int?)chart.Single("Deployment")["spec"]!["replicas"]);
    }

    [Fact]
    public async Task WebhookOnly_RendersNoNodeAgent()
    {
        var chart = await RenderedChart.RenderAsync("--set", "nodeAgent.enabled=false").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(
            ["ConfigMap", "Deployment", "MutatingWebhookConfiguration", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"],
            chart.Kinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NodeAgentOnly_RendersNoWebhook()
    {
        var chart = await RenderedChart.RenderAsync("--set", "webhook.enabled=false").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(["ClusterRole", "ClusterRoleBinding", "DaemonSet", "ServiceAccount"], chart.Kinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AdmissionSettings_ReachTheWebhookConfigurationAndTheServer()
    {
        var values = Write("admission.yaml", """
            webhook:
              config:
                Logging: {LogLevel: {Default: Warning}}
              admission:
                onError: Deny
                failurePolicy: Fail
                timeoutSeconds: 2
                excludeNamespaces: [monitoring, kube-system]
                namespaceSelectorMatchLabels: {ray-gpu: enabled}
                matchConditions:
                  - name: not-ci
                    expression: "!request.userInfo.username.startsWith('system:serviceaccount:ci:')"
            """);

        var chart = await RenderedChart.RenderAsync("-f", values).WaitAsync(TimeSpan.FromSeconds(90));

        var webhook = chart.Single("MutatingWebhookConfiguration")["webhooks"]![0]!;
        Assert.Equal("Fail", (string?)webhook["failurePolicy"]);
        Assert.Equal(2, (int?)webhook["timeoutSeconds"]);
        Assert.Equal("""["kube-system","ray-system","monitoring"]""", webhook["namespaceSelector"]!["matchExpressions"]![0]!["values"]!.ToJsonString());
        Assert.Equal("""{"ray-gpu":"enabled"}""", webhook["namespaceSelector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal("not-ci", (string?)webhook["matchConditions"]![0]!["name"]);
        var args = chart.Single("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!);
        Assert.Contains("--Admission:OnError=Deny", args);
        Assert.Contains("--Logging:LogLevel:Default=Warning", args);
    }

    [Fact]
    public async Task CustomResources_Disabled_OnlyThePodWebhookIsRegistered()
    {
        var chart = await RenderedChart.RenderAsync("--set", "webhook.customResources.enabled=false").WaitAsync(TimeSpan.FromSeconds(90));

        var webhook = Assert.Single(chart.Single("MutatingWebhookConfiguration")["webhooks"]!.AsArray())!;
        Assert.Equal("pods.raygpu.io", (string?)webhook["name"]);
    }

    [Fact]
    public async Task CustomResources_UserMatchConditions_FollowTheSpecChangedCondition()
    {
        var values = Write("cr-conditions.yaml", """
            webhook:
              admission:
                matchConditions:
                  - name: not-ci
                    expression: "!request.userInfo.username.startsWith('system:serviceaccount:ci:')"
            """);

        var chart = await RenderedChart.RenderAsync("-f", values).WaitAsync(TimeSpan.FromSeconds(90));

        var webhook = chart.Single("MutatingWebhookConfiguration")["webhooks"]!.AsArray().Single(w => (string?)w!["name"] == "rayresources.raygpu.io")!;
        Assert.Equal(["raygpu-spec-changed", "not-ci"], webhook["matchConditions"]!.AsArray().Select(c => (string)c!["name"]!));
    }

    [Fact]
    public async Task ExamplePolicy_AsValues_RendersAPolicyTheWebhookAccepts()
    {
        var example = File.ReadAllText(Path.Combine(Helm.RepositoryRoot, "examples", "policy.yaml"));
        var policy = Assert.Single(ManifestReader.Read(example, "policy.yaml")).Content!;
        var values = Write("policy-values.json", new JsonObject { ["webhook"] = new JsonObject { ["policy"] = policy.DeepClone() } }.ToJsonString());

        var chart = await RenderedChart.RenderAsync("-f", values).WaitAsync(TimeSpan.FromSeconds(90));

        var loaded = PolicyLoader.Parse((string)chart.Single("ConfigMap")["data"]!["policy.yaml"]!);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        Assert.Equal(["a10g", "h100x8"], loaded.Policy!.Profiles.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, loaded.Policy.Rules.Count);
        Assert.Equal("false", loaded.Policy.Head.Annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"]);
    }

    [Fact]
    public async Task NodeAgentConfig_BecomesArgumentsAndOverridesTheChartsPaths()
    {
        var values = Write("agent.yaml", """
            nodeAgent:
              kubeletRoot: /var/snap/microk8s/common/var/lib/kubelet
              driver: {source: hostPath, hostPath: /run/nvidia/driver}
              privileged: true
              extraTolerations: [{key: dedicated, operator: Exists}]
              config:
                DevicePlugin: {Sharing: {Replicas: 4, SharedResourceName: nvidia.com/shared-gpu}}
                Node: {Taints: ["nvidia.com/gpu=present:NoSchedule"]}
                Gpu: {DriverRoot: /custom}
                Metrics: {PodResourcesMaxReceiveBytes: 67108864, SampleInterval: "00:00:10"}
            """);

        var chart = await RenderedChart.RenderAsync("-f", values).WaitAsync(TimeSpan.FromSeconds(90));

        var pod = chart.Single("DaemonSet")["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        var args = container["args"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.Contains("--DevicePlugin:Sharing:Replicas=4", args);
        Assert.Contains("--DevicePlugin:Sharing:SharedResourceName=nvidia.com/shared-gpu", args);
        Assert.Contains("--Node:Taints:0=nvidia.com/gpu=present:NoSchedule", args);
        Assert.Contains("--Gpu:DriverRoot=/custom", args);
        Assert.Contains("--Metrics:PodResourcesMaxReceiveBytes=67108864", args);
        Assert.Contains("--Metrics:SampleInterval=00:00:10", args);
        Assert.DoesNotContain("--Gpu:DriverRoot=/driver-root", args);
        Assert.True((bool?)container["securityContext"]!["privileged"]);
        var hostPaths = pod["volumes"]!.AsArray().Where(v => v!["hostPath"] is not null).Select(v => (string)v!["hostPath"]!["path"]!).ToList();
        Assert.Contains("/var/snap/microk8s/common/var/lib/kubelet/device-plugins", hostPaths);
        Assert.Contains("/var/snap/microk8s/common/var/lib/kubelet/pod-resources", hostPaths);
        Assert.Contains("/run/nvidia/driver", hostPaths);
        Assert.Equal(3, pod["tolerations"]!.AsArray().Count);
    }

    [Fact]
    public async Task ServiceMonitors_AreOptional()
    {
        var chart = await RenderedChart.RenderAsync("--set", "webhook.serviceMonitor.enabled=true", "--set", "nodeAgent.serviceMonitor.enabled=true").WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(2, chart.All("ServiceMonitor").Count());
        var agentService = chart.Find("Service", "rel-platform-node-agent");
        Assert.Equal("None", (string?)agentService!["spec"]!["clusterIP"]);
    }

    [Theory]
    [InlineData("webhook.admission.failurePolicy=Sometimes", "failurePolicy")]
    [InlineData("webhook.admission.onError=Maybe", "onError")]
    [InlineData("webhook.admission.timeoutSeconds=31", "timeoutSeconds")]
    [InlineData("webhook.replicas=0", "replicas")]
    [InlineData("webhook.bogus=1", "bogus")]
    [InlineData("webhook.policy.version=v2", "version")]
    [InlineData("nodeAgent.driver.hostPath=run/nvidia", "hostPath")]
    [InlineData("nodeAgent.driver.source=host", "source")]
    [InlineData("nodeAgent.driver.mountPath=/usr/lib", "mountPath")]
    [InlineData("nodeAgent.nodePatchPolicy.enabled=sometimes", "enabled")]
    [InlineData("nodeAgent.networkPolicy.apiServerPorts[0]=70000", "apiServerPorts")]
    [InlineData("nodeAgent.requiredNodeExpressions[0].operator=Maybe", "operator")]
    [InlineData("webhook.tls.certManager.issuerRef.kind=Vault", "kind")]
    [InlineData("nodeAgent.tolerations[0].operator=Maybe", "operator")]
    public async Task BadValues_AreRejectedByTheSchema(string setting, string field)
    {
        var result = await Helm.RunAsync("template", "rel", Helm.ChartDirectory, "--set", setting).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(field, result.Stderr, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
