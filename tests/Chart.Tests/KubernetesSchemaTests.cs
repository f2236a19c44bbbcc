using System.Diagnostics;

namespace Platform.Chart.Tests;

/// <summary>
/// Every rendered built-in object is checked against the Kubernetes OpenAPI schemas with npm kubernetes-models
/// (tests/tools/helm/validate.mjs), offline: types, enums and required fields, not unknown fields.
/// </summary>
public sealed class KubernetesSchemaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chart-schema-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("")]
    [InlineData("webhook.tls.certManager.enabled=true,webhook.serviceMonitor.enabled=true,nodeAgent.serviceMonitor.enabled=true")]
    [InlineData("webhook.podDisruptionBudget.maxUnavailable=1,nodeAgent.privileged=true,webhook.admission.failurePolicy=Fail")]
    public async Task RenderedObjects_AreValidKubernetesObjects(string settings)
    {
        string[] valueArgs = settings.Length == 0 ? [] : ["--set", settings];
        var chart = await RenderedChart.RenderAsync(valueArgs).WaitAsync(TimeSpan.FromSeconds(90));
        var file = Path.Combine(_dir, "objects.json");
        await File.WriteAllTextAsync(file, chart.ToJsonArray()).WaitAsync(TimeSpan.FromSeconds(10));

        var (exit, output) = await RunNodeAsync(Path.Combine(Helm.RepositoryRoot, "tests", "tools", "helm", "validate.mjs"), file);

        Assert.True(exit == 0, output);
        var validated = output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal));
        Assert.True(validated >= 4, $"expected the built-in objects to be validated, got:\n{output}");
        Assert.DoesNotContain("invalid ", output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunNodeAsync(string script, string file)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(file);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("node is not on PATH: install Node.js and run ./scripts/test.sh (it runs 'npm ci' in tests/tools/helm)", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (process.ExitCode, await stdout.WaitAsync(TimeSpan.FromSeconds(10)) + await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }
}
