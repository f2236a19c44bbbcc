namespace Platform.Chart.Tests;

/// <summary>
/// Every rendered built-in object is checked against the Kubernetes OpenAPI schemas with npm kubernetes-models
/// (tests/tools/helm/validate.mjs), offline: types, enums and required fields, not unknown fields.
/// </summary>
public sealed class KubernetesSchemaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chart-schema-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Hardened = "nodeAgent.nodePatchPolicy.enabled=true,webhook.networkPolicy.enabled=true,nodeAgent.networkPolicy.enabled=true,"
        + "nodeAgent.driver.source=hostPath,nodeAgent.driver.hostPath=/run/nvidia/driver,nodeAgent.runtimeClassName=nvidia,nodeAgent.requiredNodeExpressions=null,nodeAgent.remediation.mode=evict";

    private const string Dra = "nodeAgent.mode=dra,nodeAgent.dra.slicePolicy.enabled=true,nodeAgent.dra.deviceTaints=true,nodeAgent.serviceMonitor.enabled=true,nodeAgent.networkPolicy.enabled=true";

    /// <summary>Each variant with Helm 4 and Helm 3.</summary>
    [Theory]
    [InlineData(4, "")]
    [InlineData(4, "webhook.tls.certManager.enabled=true,webhook.serviceMonitor.enabled=true,nodeAgent.serviceMonitor.enabled=true")]
    [InlineData(4, "webhook.podDisruptionBudget.maxUnavailable=1,nodeAgent.privileged=true,webhook.admission.failurePolicy=Fail")]
    [InlineData(4, Hardened)]
    [InlineData(4, Dra)]
    [InlineData(3, "")]
    [InlineData(3, "webhook.tls.certManager.enabled=true,webhook.serviceMonitor.enabled=true,nodeAgent.serviceMonitor.enabled=true")]
    [InlineData(3, "webhook.podDisruptionBudget.maxUnavailable=1,nodeAgent.privileged=true,webhook.admission.failurePolicy=Fail")]
    [InlineData(3, Hardened)]
    [InlineData(3, Dra)]
    public async Task RenderedObjects_AreValidKubernetesObjects(int helm, string settings)
    {
        string[] valueArgs = settings.Length == 0 ? [] : ["--set", settings];
        var chart = await RenderedChart.RenderWithAsync(helm, valueArgs).WaitAsync(TimeSpan.FromSeconds(90));
        var file = Path.Combine(_dir, "objects.json");
        await File.WriteAllTextAsync(file, chart.ToJsonArray()).WaitAsync(TimeSpan.FromSeconds(10));

        var (exit, output) = await NodeTool.RunAsync("helm", "validate.mjs", file);

        Assert.True(exit == 0, output);
        var validated = output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal));
        Assert.True(validated >= 4, $"expected the built-in objects to be validated, got:\n{output}");
        Assert.DoesNotContain("invalid ", output, StringComparison.Ordinal);
        foreach (var kind in chart.Kinds.Where(k => k is "ValidatingAdmissionPolicy" or "ValidatingAdmissionPolicyBinding" or "NetworkPolicy" or "DeviceClass"))
        {
            Assert.Contains($"ok {kind}/", output, StringComparison.Ordinal);
        }
    }
}
