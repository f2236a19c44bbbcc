namespace Platform.Operations.Tests.Tools;

/// <summary>
/// Prometheus's binaries from Debian's <c>prometheus</c> package (.ci/run installs it): <c>promtool</c> checks
/// and unit-tests rules, <c>prometheus</c> is the end-to-end peer. Tests that need them skip when absent.
/// </summary>
internal static class Promtool
{
    public const string MissingReason = "promtool and prometheus are not installed (apt-get install prometheus; .ci/run installs it)";

    public static string? PromtoolPath { get; } = Find("promtool");

    public static string? PrometheusPath { get; } = Find("prometheus");

    public static bool Available => PromtoolPath is not null && PrometheusPath is not null;

    /// <summary>Runs promtool in <paramref name="directory"/>; a minute is far more than any run here needs.</summary>
    public static Task<ProcessResult> RunAsync(string directory, params string[] args) =>
        ChildProcess.RunAsync(PromtoolPath ?? throw new InvalidOperationException(MissingReason), directory, TimeSpan.FromSeconds(60), args);

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
