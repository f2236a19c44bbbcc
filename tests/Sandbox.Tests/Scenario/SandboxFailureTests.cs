using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Platform.Sandbox.Tests.TestSupport;

namespace Platform.Sandbox.Tests.Scenario;

/// <summary>Bad input names the step and exits 2; a failure or Ctrl-C leaves no process, socket or temporary file behind.</summary>
[Collection(SandboxCollection.Name)]
[Trait("Category", "E2E")]
public sealed partial class SandboxFailureTests : IDisposable
{
    private readonly string _files = Directory.CreateTempSubdirectory("sandbox-input-").FullName;

    [Fact]
    public async Task Run_InvalidPolicy_NamesTheStepAndEveryErrorAndExits2()
    {
        var policy = Write("policy.yaml", "version: v1\nprofiles:\n  a10g:\n    gpus: -3\nunknownKey: 1\n");

        var (code, _, stderr, leftovers) = await SandboxProcess.RunAsync("--policy", policy);

        Assert.Equal(2, code);
        Assert.Contains("step 1 (webhook)", stderr, StringComparison.Ordinal);
        Assert.Contains(policy, stderr, StringComparison.Ordinal);
        Assert.Contains("unknownKey", stderr, StringComparison.Ordinal);
        Assert.Empty(leftovers);
    }

    [Fact]
    public async Task Run_MissingPolicyFile_Exits2()
    {
        var (code, _, stderr, _) = await SandboxProcess.RunAsync("--policy", Path.Combine(_files, "absent.yaml"));

        Assert.Equal(2, code);
        Assert.Contains("step 1 (webhook)", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: x\n", "not valid YAML/JSON at line")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "holds no RayCluster, RayJob or RayService")]
    [InlineData("apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: x}\nspec: {}\n", "headGroupSpec")]
    public async Task Run_BadManifest_NamesTheProblemAndStepAndExits2(string manifest, string expected)
    {
        var (code, _, stderr, leftovers) = await SandboxProcess.RunAsync("--manifest", Write("manifest.yaml", manifest));

        Assert.Equal(2, code);
        Assert.Contains("step 3 (admission)", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Empty(leftovers);
    }

    [Fact]
    public async Task Run_RayClusterDeniedAtTemplateLevel_ReportsTheWebhooksMessageAndExits1()
    {
        // Tenancy: profile a10g is for ml-* namespaces; a group in namespace "other" asking for it by annotation is denied.
        var policy = Write("tenancy.yaml", "version: v1\nprofiles:\n  a10g:\n    gpus: 1\n    namespaces: [\"ml-*\"]\n");
        var manifest = Write("denied.yaml", """
            apiVersion: ray.io/v1
            kind: RayCluster
            metadata: {name: tenant, namespace: other}
            spec:
              headGroupSpec:
                template: {spec: {containers: [{name: ray-head, image: rayproject/ray:2.52.0}]}}
              workerGroupSpecs:
                - groupName: gpu
                  replicas: 1
                  template:
                    metadata: {annotations: {raygpu.io/profile: a10g}}
                    spec: {containers: [{name: ray-worker, image: rayproject/ray:2.52.0}]}
            """);

        var (code, _, stderr, leftovers) = await SandboxProcess.RunAsync("--policy", policy, "--manifest", manifest);

        Assert.Equal(1, code);
        Assert.Contains("step 3 (admission)", stderr, StringComparison.Ordinal);
        Assert.Contains("denied RayCluster other/tenant", stderr, StringComparison.Ordinal);
        Assert.Contains("a10g", stderr, StringComparison.Ordinal);
        Assert.Empty(leftovers);
    }

    [Theory]
    [InlineData("--gpus", "0")]
    [InlineData("--gpus", "many")]
    [InlineData("--output", "yaml")]
    [InlineData("--frobnicate", "1")]
    public async Task Run_BadOption_Exits2WithTheOptionNamed(string option, string value)
    {
        var (code, _, stderr, _) = await SandboxProcess.RunAsync(option, value);

        Assert.Equal(2, code);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WebhookPortInUse_FailsInStep1AndCleansUp()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, _, stderr, leftovers) = await SandboxProcess.RunAsync("--webhook-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, code);
        Assert.Contains("step 1 (webhook)", stderr, StringComparison.Ordinal);
        Assert.Contains($"port {port} on 127.0.0.1 is already in use", stderr, StringComparison.Ordinal);
        Assert.Empty(leftovers);
    }

    [Fact]
    public async Task CtrlC_WhileRunning_StopsEveryChildAndRemovesSocketsAndFiles()
    {
        await using var sandbox = SandboxProcess.Start("--keep-running");
        var webhook = await sandbox.WaitForLineAsync(l => l.Contains("webhook running as pid", StringComparison.Ordinal));
        var agent = await sandbox.WaitForLineAsync(l => l.Contains("node agent up on", StringComparison.Ordinal));
        var socket = await sandbox.WaitForLineAsync(l => l.Contains("plugin for nvidia.com/gpu registered", StringComparison.Ordinal));
        var pids = new[] { webhook, agent }.Select(l => int.Parse(Pid().Match(l).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(pids, pid => Assert.True(SandboxProcess.IsAlive(pid)));
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(sandbox.TempDirectory, "*.sock", SearchOption.AllDirectories));

        // In the middle of the run (step 2 or 3), as a user hitting Ctrl-C would.
        await sandbox.InterruptAsync();
        var code = await sandbox.WaitForExitAsync();

        Assert.Equal(130, code);
        Assert.Contains("interrupted", sandbox.Stderr, StringComparison.Ordinal);
        Assert.All(pids, pid => Assert.False(SandboxProcess.IsAlive(pid), $"pid {pid} still runs"));
        Assert.Empty(sandbox.Leftovers());
    }

    [Fact]
    public async Task KeepRunning_PrintsAddressesThenCtrlCStopsCleanly()
    {
        await using var sandbox = SandboxProcess.Start("--keep-running");
        await sandbox.WaitForLineAsync(l => l.Contains("simulator       POST http://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains("agent metrics   http://127.0.0.1:", sandbox.Stdout, StringComparison.Ordinal);

        await sandbox.InterruptAsync();
        var code = await sandbox.WaitForExitAsync();

        Assert.Equal(0, code);
        Assert.Empty(sandbox.Leftovers());
    }

    public void Dispose() => Directory.Delete(_files, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_files, name);
        File.WriteAllText(path, text);
        return path;
    }

    [GeneratedRegex(@"pid (\d+)")]
    private static partial Regex Pid();
}
