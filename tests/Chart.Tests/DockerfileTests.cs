using System.Text.RegularExpressions;

namespace Platform.Chart.Tests;

/// <summary>
/// The images' Dockerfiles (no Docker engine here, so they are read, not built; CI runs the same scripts/publish.sh
/// they run): a Dockerfile linter, one naming scheme with the chart and the README, NativeAOT on a chiseled base,
/// OCI annotations, the user each runs as.
/// </summary>
public sealed partial class DockerfileTests
{
    [Fact]
    public async Task Dockerfiles_PassTheLinter()
    {
        var (exit, output) = await NodeTool.RunAsync("dockerfile", "lint.mjs",
            Path.Combine(Helm.RepositoryRoot, "Dockerfile.webhook"), Path.Combine(Helm.RepositoryRoot, "Dockerfile.plugin")).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exit == 0, output);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Linter_FindsProblems()
    {
        var bad = Path.Combine(Directory.CreateTempSubdirectory("dockerfile-").FullName, "Dockerfile");
        await File.WriteAllTextAsync(bad, "FROM a AS x\nCOPY only-one\nMAINTAINER me\nFROM b AS x\n").WaitAsync(TimeSpan.FromSeconds(10));

        var (exit, output) = await NodeTool.RunAsync("dockerfile", "lint.mjs", bad).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(1, exit);
        Assert.Contains("COPY requires at least two arguments", output, StringComparison.Ordinal);
        Assert.Contains("MAINTAINER has been deprecated", output, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(bad)!, recursive: true);
    }

    [Theory]
    [InlineData("Dockerfile.webhook", "webhook", "raygpu-webhook")]
    [InlineData("Dockerfile.plugin", "node-agent", "raygpu-node-agent")]
    public void Build_RunsThePublishScriptCiRuns(string file, string component, string binary)
    {
        var (build, _) = Stages(file);

        Assert.Contains($"RUN scripts/publish.sh --restore {component}", build);
        Assert.Contains($"RUN scripts/publish.sh {component} /out", build);
        Assert.DoesNotContain(build, i => i.StartsWith("RUN dotnet publish", StringComparison.Ordinal));
        var script = File.ReadAllText(Path.Combine(Helm.RepositoryRoot, "scripts", "publish.sh"));
        Assert.Matches($@"(?m)^\s*{Regex.Escape(component)}\)\s.*binary={Regex.Escape(binary)}\s*;;", script);
        Assert.All(build.Where(i => i.Contains("apt-get install", StringComparison.Ordinal)), i =>
        {
            Assert.Contains("--no-install-recommends", i, StringComparison.Ordinal);
            Assert.Contains("rm -rf /var/lib/apt/lists/*", i, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("Dockerfile.webhook", "raygpu-webhook", "1654")]
    [InlineData("Dockerfile.plugin", "raygpu-node-agent", "0")]
    public void Runtime_IsTheBinaryAloneOnAChiseledBase(string file, string binary, string user)
    {
        var (_, runtime) = Stages(file);

        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/runtime-deps:\$\{DOTNET_VERSION\}-noble-chiseled$", runtime[0]);
        Assert.Equal([$"COPY --from=build /out/{binary} /app/{binary}"], runtime.Where(i => i.StartsWith("COPY", StringComparison.Ordinal)));
        Assert.Contains($"ENTRYPOINT [\"/app/{binary}\"]", runtime);
        Assert.Equal($"USER {user}", Assert.Single(runtime, i => i.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.DoesNotContain(runtime, i => i.StartsWith("RUN", StringComparison.Ordinal) || i.StartsWith("ADD", StringComparison.Ordinal));
        Assert.DoesNotContain(":latest", File.ReadAllText(Path.Combine(Helm.RepositoryRoot, file)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dockerfile.webhook")]
    [InlineData("Dockerfile.plugin")]
    public void Runtime_CarriesTheOciAnnotationsAtTheChartsVersion(string file)
    {
        var (_, runtime) = Stages(file);
        var label = Assert.Single(runtime, i => i.StartsWith("LABEL ", StringComparison.Ordinal));
        var appVersion = AppVersionPattern().Match(File.ReadAllText(Path.Combine(Helm.ChartDirectory, "Chart.yaml"))).Groups[1].Value;

        foreach (var key in new[] { "source", "version", "licenses", "revision", "title" })
        {
            Assert.Contains($"org.opencontainers.image.{key}=", label, StringComparison.Ordinal);
        }

        Assert.Contains($"ARG VERSION={appVersion}", runtime);
    }

    [Theory]
    [InlineData("Dockerfile.webhook", "raygpu-webhook")]
    [InlineData("Dockerfile.plugin", "raygpu-node-agent")]
    public async Task BuildCommand_IsTheSameInTheDockerfileTheReadmeAndTheChart(string file, string binary)
    {
        var command = $"docker build -f {file} -t <registry>/{binary}:0.1.0 .";

        // The chart names the image it misses (only the webhook's is given, so the agent's is the one missing).
        string[] given = binary == "raygpu-webhook" ? [] : ["--set", "webhook.image.repository=r.example/raygpu-webhook"];
        var render = await Helm.RunBareAsync(["template", "rel", Helm.ChartDirectory, .. given]).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Contains(command, File.ReadAllText(Path.Combine(Helm.RepositoryRoot, file)), StringComparison.Ordinal);
        Assert.Contains($"-f {file} -t \"$REGISTRY/{binary}:$VERSION\"", File.ReadAllText(Path.Combine(Helm.RepositoryRoot, "README.md")), StringComparison.Ordinal);
        Assert.Contains(command, render.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The instructions (continuations joined, comments dropped) of the build stage and of the final stage.</summary>
    private static (List<string> Build, List<string> Runtime) Stages(string file)
    {
        var instructions = new List<string>();
        var current = "";
        foreach (var raw in File.ReadAllLines(Path.Combine(Helm.RepositoryRoot, file)))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            current = current.Length == 0 ? line : current + " " + line;
            if (current.EndsWith('\\'))
            {
                current = current[..^1].TrimEnd();
                continue;
            }

            instructions.Add(current);
            current = "";
        }

        var froms = instructions.Select((i, n) => (i, n)).Where(x => x.i.StartsWith("FROM ", StringComparison.Ordinal)).Select(x => x.n).ToList();
        Assert.Equal(2, froms.Count);
        return (instructions[froms[0]..froms[1]], instructions[froms[1]..]);
    }

    [GeneratedRegex(@"(?m)^appVersion:\s*""?([^""\s]+)""?")]
    private static partial Regex AppVersionPattern();
}
