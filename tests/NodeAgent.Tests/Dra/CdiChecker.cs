using System.Diagnostics;
using System.Text.Json;
using Platform.DevicePlugin.Tests.TestSupport;

namespace Platform.NodeAgent.Tests.Dra;

/// <summary>
/// tests/tools/cdi-check: the Container Device Interface library that container runtimes use (Go, from Debian)
/// loads every spec of a directory with its JSON schema on and injects the named devices into an OCI spec.
/// </summary>
internal static class CdiChecker
{
    private static readonly Lazy<Task<string>> Checker = new(BuildCheckerAsync);

    /// <summary>Checks <paramref name="directory"/> and injects <paramref name="devices"/>: the checker's JSON line.</summary>
    public static async Task<JsonElement> RunAsync(string directory, params string[] devices) =>
        await ParseAsync(await Checker.Value, [directory, .. devices]);

    private static async Task<JsonElement> ParseAsync(string checker, string[] arguments)
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
