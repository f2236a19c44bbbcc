using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.DevicePlugin.Tests.TestSupport;
using Platform.NodeAgent.Dra.Prepare;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra;

/// <summary>
/// The claim CDI specs Prepare writes, loaded by the Container Device Interface library that container
/// runtimes use (Go, from Debian; tests/tools/cdi-check) with its JSON schema on, and injected into an OCI spec.
/// </summary>
public sealed class CdiLibraryTests : IAsyncLifetime
{
    private static readonly Lazy<Task<string>> Checker = new(BuildCheckerAsync);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dra-cdi-");
    private FakeKubernetesApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeKubernetesApi.StartAsync("node-a");

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task PreparedClaimSpec_LoadsInTheCdiLibrary_AndInjectsTheClaimsGpus()
    {
        var checker = await Checker.Value;
        var gpus = new[] { TestGpus.Device(0), TestGpus.Device(1) };
        const string uid = "6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e11";
        _api.PutClaim("ml", "pair", uid, ("gpus", "gpu.raygpu.io", "node-a", "gpu-1"), ("gpus", "gpu.raygpu.io", "node-a", "gpu-0"));
        using var kubernetes = new KubernetesConnection(_api.WriteKubeconfig(_dir.FullName), inCluster: false, NullLogger<KubernetesConnection>.Instance);
        var cdi = Path.Combine(_dir.FullName, "cdi");
        var preparer = new ClaimPreparer("gpu.raygpu.io", cdi, "node-a", kubernetes, () => gpus, _ => null,
            new PreparedClaimStore(Path.Combine(_dir.FullName, "plugin")), TimeProvider.System, NullLogger<ClaimPreparer>.Instance);
        var outcome = (await preparer.PrepareAsync([new ClaimRef("ml", "pair", uid)], CancellationToken.None).DefaultTimeout())[uid];
        var claimDevice = outcome.Devices[0].CdiDeviceIds[1];

        var result = await RunAsync(checker, cdi, claimDevice);

        Assert.Empty(result.GetProperty("specErrors").EnumerateObject());
        Assert.Equal([claimDevice], result.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(string.Empty, result.GetProperty("injectError").GetString());
        Assert.Equal([$"NVIDIA_VISIBLE_DEVICES={gpus[1].Uuid},{gpus[0].Uuid}"], result.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Checker_RefusesAnInvalidSpec()
    {
        var checker = await Checker.Value;
        File.WriteAllText(Path.Combine(_dir.FullName, "bad.json"), """{"cdiVersion":"0.5.0","kind":"gpu.raygpu.io/claim","devices":[{"name":"-bad name","containerEdits":{"env":["A=1"]}}]}""");

        var result = await RunAsync(checker, _dir.FullName);

        Assert.Contains("bad.json", result.GetProperty("specErrors").EnumerateObject().Single().Name, StringComparison.Ordinal);
        Assert.Empty(result.GetProperty("devices").EnumerateArray());
    }

    private static async Task<JsonElement> RunAsync(string checker, params string[] arguments)
    {
        var (exit, stdout, stderr) = await ExecAsync(checker, null, TimeSpan.FromSeconds(30), arguments);
        Assert.True(exit == 0, $"cdi-check failed ({exit}): {stderr}");
        return JsonDocument.Parse(stdout).RootElement;
    }

    /// <summary>Builds the checker once per test run, offline from Debian's Go packages (GOPATH mode).</summary>
    private static async Task<string> BuildCheckerAsync()
    {
        var source = Path.Combine(RepositoryRoot.Find(), "tests", "tools", "cdi-check");
        var output = Path.Combine(Path.GetTempPath(), "platform-cdi-check-" + Environment.ProcessId);
        var environment = new Dictionary<string, string>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = "/usr/share/gocode",
            ["GOCACHE"] = Path.Combine(Path.GetTempPath(), "platform-go-cache"),
            ["GOFLAGS"] = string.Empty,
            ["PWD"] = source,
        };
        try
        {
            var (exit, _, stderr) = await ExecAsync("go", environment, TimeSpan.FromMinutes(5), "build", "-o", output, ".");
            Assert.True(exit == 0, $"building tests/tools/cdi-check failed: {stderr}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"'go' is missing ({ex.Message}): install Debian's golang-go and golang-github-container-orchestrated-devices-container-device-interface-dev, as .ci/run does.");
        }

        return output;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> ExecAsync(string file, Dictionary<string, string>? environment, TimeSpan timeout, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };

        // GOPATH-mode builds take the package from the working directory ("go build ."), never an absolute path.
        if (environment?.GetValueOrDefault("PWD") is { } directory)
        {
            info.WorkingDirectory = directory;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
