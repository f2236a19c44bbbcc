using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Chart.Tests;

/// <summary>The chart with default values: both components, self-signed TLS, the default policy.</summary>
public sealed class ChartDefaultsTests(DefaultChartFixture fixture) : IClassFixture<DefaultChartFixture>
{
    private readonly RenderedChart _chart = fixture.Chart;

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public async Task Lint_DefaultValues_Passes(int helm)
    {
        var result = await Helm.RunAsync(helm, "lint", "--strict", Helm.ChartDirectory).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 0, result.Stdout + result.Describe());
        Assert.Contains("0 chart(s) failed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Defaults_HasBothComponents()
    {
        Assert.Equal(
            ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet", "Deployment", "MutatingWebhookConfiguration", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount", "ServiceAccount"],
            _chart.Kinds.Order(StringComparer.Ordinal));
        Assert.All(_chart.Objects.Where(o => (string)o["kind"]! is not ("ClusterRole" or "ClusterRoleBinding" or "MutatingWebhookConfiguration")),
            o => Assert.Equal(RenderedChart.Namespace, (string?)o["metadata"]!["namespace"]));
    }

    [Fact]
    public void WebhookConfiguration_FollowsTheRecommendedSettings()
    {
        var webhook = _chart.Single("MutatingWebhookConfiguration")["webhooks"]!.AsArray().Single(w => (string?)w!["name"] == "pods.raygpu.io")!;

        Assert.Equal("""[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["pods"],"scope":"Namespaced"}]""", webhook["rules"]!.ToJsonString());
        Assert.Equal(
            """{"matchExpressions":[{"key":"ray.io/node-type","operator":"In","values":["head","worker"]},{"key":"ray.io/cluster","operator":"Exists"}]}""",
            webhook["objectSelector"]!.ToJsonString());
        Assert.Equal(
            """{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system","ray-system"]}]}""",
            webhook["namespaceSelector"]!.ToJsonString());
        Assert.Equal("None", (string?)webhook["sideEffects"]);
        Assert.Equal(3, (int?)webhook["timeoutSeconds"]);
        Assert.Equal("Ignore", (string?)webhook["failurePolicy"]);
        Assert.Equal("""["v1"]""", webhook["admissionReviewVersions"]!.ToJsonString());
        Assert.Equal("IfNeeded", (string?)webhook["reinvocationPolicy"]);
        Assert.Null(webhook["matchConditions"]);
    }

    [Fact]
    public void WebhookConfiguration_RegistersRayCustomResourcesForCreateAndSpecChangingUpdates()
    {
        var webhooks = _chart.Single("MutatingWebhookConfiguration")["webhooks"]!.AsArray();
        var pods = webhooks.Single(w => (string?)w!["name"] == "pods.raygpu.io")!;
        var resources = webhooks.Single(w => (string?)w!["name"] == "rayresources.raygpu.io")!;

        Assert.Equal(
            """[{"apiGroups":["ray.io"],"apiVersions":["v1"],"operations":["CREATE","UPDATE"],"resources":["rayclusters","rayjobs","rayservices"],"scope":"Namespaced"}]""",
            resources["rules"]!.ToJsonString());
        Assert.Null(resources["objectSelector"]);
        var condition = Assert.Single(resources["matchConditions"]!.AsArray())!;
        Assert.Equal("raygpu-spec-changed", (string?)condition["name"]);
        Assert.Equal("request.operation == 'CREATE' || object.spec != oldObject.spec", (string?)condition["expression"]);
        Assert.True(JsonNode.DeepEquals(pods["clientConfig"], resources["clientConfig"]));
        Assert.True(JsonNode.DeepEquals(pods["namespaceSelector"], resources["namespaceSelector"]));
        Assert.Equal("None", (string?)resources["sideEffects"]);
        Assert.Equal("Ignore", (string?)resources["failurePolicy"]);
    }

    [Fact]
    public void WebhookConfiguration_CallsTheServiceOnItsHttpsPort()
    {
        var client = _chart.Single("MutatingWebhookConfiguration")["webhooks"]![0]!["clientConfig"]!["service"]!;
        var service = _chart.Find("Service", (string)client["name"]!);
        Assert.NotNull(service);
        Assert.Equal(RenderedChart.Namespace, (string?)client["namespace"]);
        Assert.Equal("/mutate", (string?)client["path"]);
        Assert.Equal(443, (int?)client["port"]);

        var https = service!["spec"]!["ports"]!.AsArray().Single(p => (int?)p!["port"] == 443)!;
        var container = WebhookContainer();
        var targetPort = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == (string?)https["targetPort"])!;
        Assert.Equal(8443, (int?)targetPort["containerPort"]);
        Assert.Equal(service["spec"]!["selector"]!.ToJsonString(), _chart.Single("Deployment")["spec"]!["selector"]!["matchLabels"]!.ToJsonString());
    }

    [Fact]
    public void SelfSignedTls_CertificateIsSignedByTheCaInTheCaBundleAndNamesTheService()
    {
        var secret = _chart.Single("Secret");
        var caBundle = (string)_chart.Single("MutatingWebhookConfiguration")["webhooks"]![0]!["clientConfig"]!["caBundle"]!;
        Assert.Equal((string?)secret["data"]!["ca.crt"], caBundle);
        Assert.Equal("kubernetes.io/tls", (string?)secret["type"]);

        using var ca = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(caBundle)));
        using var serving = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String((string)secret["data"]!["tls.crt"]!)));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(serving), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.True(serving.MatchesHostname("rel-platform-webhook.ray-system.svc"));
        Assert.True(serving.MatchesHostname("rel-platform-webhook.ray-system.svc.cluster.local"));
        Assert.Equal((string?)secret["metadata"]!["name"], (string?)VolumeOf("tls")["secret"]!["secretName"]);
    }

    [Fact]
    public void Deployment_IsHardenedAndProbedOnTheHealthPort()
    {
        var deployment = _chart.Single("Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = WebhookContainer();

        Assert.Equal(2, (int?)deployment["spec"]!["replicas"]);
        Assert.True((bool?)pod["securityContext"]!["runAsNonRoot"]);
        Assert.True((bool?)container["securityContext"]!["readOnlyRootFilesystem"]);
        Assert.False((bool?)container["securityContext"]!["allowPrivilegeEscalation"]);
        Assert.Equal("""["ALL"]""", container["securityContext"]!["capabilities"]!["drop"]!.ToJsonString());
        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        var healthPort = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "http-health")!;
        Assert.Equal(8080, (int?)healthPort["containerPort"]);
        Assert.Equal("http-health", (string?)container["readinessProbe"]!["httpGet"]!["port"]);
        Assert.Equal(2, pod["topologySpreadConstraints"]!.AsArray().Count);
        Assert.NotNull(container["resources"]!["requests"]!["cpu"]);
        Assert.DoesNotContain("gpu", container["resources"]!.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.False((bool?)pod["automountServiceAccountToken"]);
    }

    [Fact]
    public void Deployment_PassesTheWebhooksDocumentedConfigurationKeys()
    {
        var args = WebhookContainer()["args"]!.AsArray().Select(a => (string)a!).ToList();

        Assert.Contains("--urls=https://0.0.0.0:8443", args);
        Assert.Contains("--Tls:CertFile=/etc/platform/tls/tls.crt", args);
        Assert.Contains("--Tls:KeyFile=/etc/platform/tls/tls.key", args);
        Assert.Contains("--Policy:File=/etc/platform/policy/policy.yaml", args);
        Assert.Contains("--Health:Port=8080", args);
        Assert.Contains("--Admission:OnError=Allow", args);
        var mounts = WebhookContainer()["volumeMounts"]!.AsArray();
        Assert.Contains(mounts, m => (string?)m!["mountPath"] == "/etc/platform/tls" && m["subPath"] is null);
        Assert.Contains(mounts, m => (string?)m!["mountPath"] == "/etc/platform/policy" && m["subPath"] is null);
    }

    [Fact]
    public void PodDisruptionBudget_KeepsOneReplica()
    {
        var pdb = _chart.Single("PodDisruptionBudget");

        Assert.Equal(1, (int?)pdb["spec"]!["minAvailable"]);
        Assert.Equal(_chart.Single("Deployment")["spec"]!["selector"]!.ToJsonString(), pdb["spec"]!["selector"]!.ToJsonString());
    }

    [Fact]
    public void PolicyConfigMap_HoldsTheDefaultPolicyAndTheWebhookAcceptsIt()
    {
        var configMap = _chart.Single("ConfigMap");

        var loaded = PolicyLoader.Parse((string)configMap["data"]!["policy.yaml"]!);

        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var policy = loaded.Policy!;
        var defaults = GpuPolicy.Default;
        Assert.Equal(defaults.GpuResourceName, policy.GpuResourceName);
        Assert.Equal(defaults.GpuNodeLabel, policy.GpuNodeLabel);
        Assert.Equal(defaults.Head.AvoidGpuNodes, policy.Head.AvoidGpuNodes);
        Assert.Equal(defaults.Head.HideGpus, policy.Head.HideGpus);
        Assert.Equal(defaults.GpuPods.Tolerations, policy.GpuPods.Tolerations);
        Assert.Empty(policy.Profiles);
        Assert.Empty(policy.Rules);
        Assert.Equal((string?)configMap["metadata"]!["name"], (string?)VolumeOf("policy")["configMap"]!["name"]);
    }

    [Fact]
    public void DaemonSet_MountsKubeletDirectoriesAndRunsOnGpuNodes()
    {
        var daemonSet = _chart.Single("DaemonSet");
        var pod = daemonSet["spec"]!["template"]!["spec"]!;
        var volumes = pod["volumes"]!.AsArray();

        JsonNode HostPath(string name) => volumes.Single(v => (string?)v!["name"] == name)!["hostPath"]!;
        Assert.Equal("""{"path":"/var/lib/kubelet/device-plugins","type":"Directory"}""", HostPath("device-plugins").ToJsonString());
        Assert.Equal("""{"path":"/var/lib/kubelet/pod-resources","type":"Directory"}""", HostPath("pod-resources").ToJsonString());
        Assert.Equal(["/var/lib/kubelet/device-plugins", "/var/lib/kubelet/pod-resources"],
            volumes.Where(v => v!["hostPath"] is not null).Select(v => (string)v!["hostPath"]!["path"]!).Order(StringComparer.Ordinal));
        var container = pod["containers"]![0]!;
        var mounts = container["volumeMounts"]!.AsArray();
        Assert.Contains(mounts, m => (string?)m!["mountPath"] == "/var/lib/kubelet/device-plugins" && m["readOnly"] is null);
        Assert.DoesNotContain(mounts, m => ((string)m!["mountPath"]!).StartsWith("/driver-root", StringComparison.Ordinal));

        Assert.Equal("system-node-critical", (string?)pod["priorityClassName"]);
        var nodeName = container["env"]!.AsArray().Single(e => (string?)e!["name"] == "NODE_NAME")!;
        Assert.Equal("spec.nodeName", (string?)nodeName["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal(9400, (int?)container["ports"]![0]!["containerPort"]);
        var tolerations = pod["tolerations"]!.AsArray();
        Assert.Contains(tolerations, t => (string?)t!["key"] == "nvidia.com/gpu");
        Assert.Contains(tolerations, t => (string?)t!["key"] == "ray.io/node-type");
        var firstTerm = pod["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]![0]!;
        Assert.Equal(
            """{"matchExpressions":[{"key":"nvidia.com/gpu.present","operator":"In","values":["true"]},{"key":"nvidia.com/gpu.deploy.device-plugin","operator":"NotIn","values":["true"]}]}""",
            firstTerm.ToJsonString());
    }

    [Fact]
    public void DaemonSet_IsNotPrivilegedByDefault()
    {
        var container = _chart.Single("DaemonSet")["spec"]!["template"]!["spec"]!["containers"]![0]!;

        Assert.Null(container["securityContext"]!["privileged"]);
        Assert.False((bool?)container["securityContext"]!["allowPrivilegeEscalation"]);
        Assert.True((bool?)container["securityContext"]!["readOnlyRootFilesystem"]);
        Assert.Equal("""["ALL"]""", container["securityContext"]!["capabilities"]!["drop"]!.ToJsonString());
        var args = container["args"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.Contains("--Gpu:DriverRoot=/", args);
        Assert.Contains("--DevicePlugin:KubeletDirectory=/var/lib/kubelet/device-plugins", args);
        Assert.Contains("--Metrics:PodResourcesSocket=/var/lib/kubelet/pod-resources/kubelet.sock", args);
    }

    [Fact]
    public void ClusterRole_GrantsOnlyWhatTheAgentNeeds()
    {
        var role = _chart.Single("ClusterRole");

        Assert.Equal(
            """[{"apiGroups":[""],"resources":["nodes"],"verbs":["get","patch"]},{"apiGroups":["events.k8s.io"],"resources":["events"],"verbs":["create"]},{"apiGroups":[""],"resources":["pods"],"verbs":["get"]},"""
            // Remediation's default mode, annotate: its pod condition and the namespace label (ChartRemediationTests).
            + """{"apiGroups":[""],"resources":["pods/status"],"verbs":["patch"]},{"apiGroups":[""],"resources":["namespaces"],"verbs":["get"]}]""",
            role["rules"]!.ToJsonString());
        Assert.DoesNotContain("Role", _chart.Kinds.Where(k => k != "ClusterRole" && k != "ClusterRoleBinding"));
        var binding = _chart.Single("ClusterRoleBinding");
        var agentAccount = (string)_chart.Single("DaemonSet")["spec"]!["template"]!["spec"]!["serviceAccountName"]!;
        Assert.Equal(agentAccount, (string?)binding["subjects"]![0]!["name"]);
        Assert.Equal((string?)role["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
    }

    private JsonNode WebhookContainer() => _chart.Single("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;

    private JsonNode VolumeOf(string name) =>
        _chart.Single("Deployment")["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == name)!;
}
