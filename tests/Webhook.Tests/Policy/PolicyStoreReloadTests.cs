using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.Diagnostics;
using Platform.Webhook.Tests.Hosting;

namespace Platform.Webhook.Tests.Policy;

/// <summary>Policy reloads in the running host, observed through admissions, /readyz and /metrics.</summary>
public sealed class PolicyStoreReloadTests
{
    [Fact]
    public async Task Reload_ValidChange_NextAdmissionUsesNewPolicy()
    {
        await using var host = await WebhookTestHost.StartAsync(HostTestPolicies.A10g);
        var attempt = NextAttempt(host);

        host.WritePolicy(HostTestPolicies.H100);

        Assert.True(await attempt.WaitAsync(WebhookTestHost.Timeout));
        var review = AdmissionReviews.GpuWorker("uid-after-reload");
        using var response = await host.PostAdmissionAsync(review.ToJsonString());
        var pod = AdmissionResponses.ApplyPatch(review, await AdmissionResponses.ReadReviewAsync(response));
        Assert.Equal("NVIDIA-H100-80GB-HBM3", (string?)pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);
        Assert.Equal("h100", (string?)pod["metadata"]!["annotations"]!["raygpu.io/policy"]);
        var (_, metrics) = await host.GetHealthAsync("/metrics");
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_policy_reloads_total{result=\"success\"}"));
    }

    [Fact]
    public async Task Reload_InvalidChange_LastGoodStaysWithReadyzDetailAndMetric()
    {
        await using var host = await WebhookTestHost.StartAsync(HostTestPolicies.A10g);
        var attempt = NextAttempt(host);

        host.WritePolicy(HostTestPolicies.Invalid);

        Assert.False(await attempt.WaitAsync(WebhookTestHost.Timeout));
        var review = AdmissionReviews.GpuWorker("uid-after-bad-reload");
        using var response = await host.PostAdmissionAsync(review.ToJsonString());
        var pod = AdmissionResponses.ApplyPatch(review, await AdmissionResponses.ReadReviewAsync(response));
        Assert.Equal("NVIDIA-A10G", (string?)pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);

        var (status, readyz) = await host.GetHealthAsync("/readyz");
        Assert.Equal(200, status);
        var errors = JsonNode.Parse(readyz)!["policy"]!["lastReloadErrors"]!.AsArray().Select(e => (string)e!).ToList();
        Assert.Contains(errors, e => e.StartsWith("profiles.a10g.gpus", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("rules", StringComparison.Ordinal) && e.Contains("missing", StringComparison.Ordinal));

        var (_, metrics) = await host.GetHealthAsync("/metrics");
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_policy_reloads_total{result=\"failure\"}"));
        Assert.Equal(0, MetricsText.Value(metrics, "raygpu_webhook_policy_last_reload_success"));
    }

    [Fact]
    public async Task Reload_PolicyOverOneMebibyte_RefusedAndLastGoodStays()
    {
        await using var host = await WebhookTestHost.StartAsync(HostTestPolicies.A10g);
        var attempt = NextAttempt(host);

        host.WritePolicy(HostTestPolicies.H100 + "\n#" + new string('x', PolicyLoader.MaxBytes));

        Assert.False(await attempt.WaitAsync(WebhookTestHost.Timeout));
        var review = AdmissionReviews.GpuWorker("uid-after-large-reload");
        using var response = await host.PostAdmissionAsync(review.ToJsonString());
        var pod = AdmissionResponses.ApplyPatch(review, await AdmissionResponses.ReadReviewAsync(response));
        Assert.Equal("NVIDIA-A10G", (string?)pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);
        var (_, readyz) = await host.GetHealthAsync("/readyz");
        var errors = JsonNode.Parse(readyz)!["policy"]!["lastReloadErrors"]!.AsArray().Select(e => (string)e!).ToList();
        Assert.Contains(errors, e => e.Contains("at most 1048576 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_ConfigMapStyleSymlinkSwap_Detected()
    {
        // Kubernetes ConfigMap volumes: policy.yaml -> ..data/policy.yaml, ..data -> ..<timestamp>;
        // an update writes a new timestamped directory and renames a new ..data link over the old one.
        var mount = Directory.CreateTempSubdirectory("webhook-configmap-").FullName;
        try
        {
            await WriteConfigMapVersionAsync(mount, "..2026_11_23_01", HostTestPolicies.A10g);
            File.CreateSymbolicLink(Path.Combine(mount, "policy.yaml"), Path.Combine("..data", "policy.yaml"));
            await using var host = await WebhookTestHost.StartAsync(policyYaml: null, extraArgs: [$"--Policy:File={Path.Combine(mount, "policy.yaml")}"]);
            var attempt = NextAttempt(host);

            await WriteConfigMapVersionAsync(mount, "..2026_11_23_02", HostTestPolicies.H100);

            Assert.True(await attempt.WaitAsync(WebhookTestHost.Timeout));
            var review = AdmissionReviews.GpuWorker("uid-configmap");
            using var response = await host.PostAdmissionAsync(review.ToJsonString());
            var pod = AdmissionResponses.ApplyPatch(review, await AdmissionResponses.ReadReviewAsync(response));
            Assert.Equal("NVIDIA-H100-80GB-HBM3", (string?)pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);
        }
        finally
        {
            Directory.Delete(mount, recursive: true);
        }
    }

    [Fact]
    public async Task Start_NoPolicyFile_BuiltInDefaultInForce()
    {
        await using var host = await WebhookTestHost.StartAsync(policyYaml: null);

        var (status, readyz) = await host.GetHealthAsync("/readyz");

        Assert.Equal(200, status);
        Assert.Equal(PolicyStore.BuiltInSource, (string?)JsonNode.Parse(readyz)!["policy"]!["source"]);
        Assert.Same(GpuPolicy.Default, host.App.Services.GetRequiredService<IPolicySource>().Current);
    }

    private static Task<bool> NextAttempt(WebhookTestHost host)
    {
        var store = host.App.Services.GetRequiredService<PolicyStore>();
        var attempt = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.ReloadAttempted += (_, taken) => attempt.TrySetResult(taken);
        return attempt.Task;
    }

    private static async Task WriteConfigMapVersionAsync(string mount, string version, string yaml)
    {
        Directory.CreateDirectory(Path.Combine(mount, version));
        await File.WriteAllTextAsync(Path.Combine(mount, version, "policy.yaml"), yaml);
        var temp = Path.Combine(mount, "..data_tmp");
        File.CreateSymbolicLink(temp, version);
        // rename(2) of a link to a directory over another one, as the kubelet's atomic writer does;
        // File.Move refuses links to directories, `mv -T` renames the link itself.
        using var mv = System.Diagnostics.Process.Start("mv", ["-T", temp, Path.Combine(mount, "..data")]);
        await mv.WaitForExitAsync().WaitAsync(WebhookTestHost.Timeout);
        Assert.Equal(0, mv.ExitCode);
    }
}
