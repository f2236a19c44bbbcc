using System.Globalization;
using Platform.Sandbox.Hosting;

namespace Platform.Sandbox.Cli;

/// <summary>The sandbox's command line.</summary>
internal sealed record SandboxArguments(
    string Policy,
    string Manifest,
    int Gpus,
    bool Json,
    bool KeepRunning,
    int? WebhookPort,
    bool Help)
{
    public const int MaxGpus = 16;

    public const string Usage = """
        Usage: ./sandbox [options]

        Runs Platform end to end on simulated GPUs, no cluster needed: the webhook over HTTPS, the node agent with
        a simulated driver against a kubelet simulator and a fake API server, a Ray manifest's pods through both.

        Options:
          --policy <file>       GPU policy for the webhook (default: examples/policy.yaml)
          --manifest <file>     RayCluster, RayJob or RayService (default: examples/raycluster-gpu.yaml)
          --gpus <n>            simulated GPUs on the node, NVLink between them (default: 4, at most 16)
          --output text|json    readable report (default) or one JSON document on stdout for scripts
          --keep-running        leave everything up and print the addresses until Ctrl-C
          --webhook-port <n>    HTTPS port of the webhook on 127.0.0.1 (default: any free port)
          --help                this text

        Exit codes: 0 done, 1 a step failed, 2 bad input (policy, manifest, options), 130 interrupted.
        Check your own manifests without starting anything:
          dotnet run --project src/Webhook -- mutate --policy <policy> <manifest>
        """;

    /// <exception cref="FormatException">An unknown option or a bad value; the message says which.</exception>
    public static SandboxArguments Parse(IReadOnlyList<string> args)
    {
        var result = new SandboxArguments(
            Path.Combine(BuiltPrograms.RepositoryRoot, "examples", "policy.yaml"),
            Path.Combine(BuiltPrograms.RepositoryRoot, "examples", "raycluster-gpu.yaml"),
            4, Json: false, KeepRunning: false, WebhookPort: null, Help: false);
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value"));
            result = name switch
            {
                "--policy" or "-p" => result with { Policy = Value() },
                "--manifest" or "-m" => result with { Manifest = Value() },
                "--gpus" => result with { Gpus = Count(name, Value(), 1, MaxGpus) },
                "--output" or "-o" => Value() switch
                {
                    "json" => result with { Json = true },
                    "text" => result with { Json = false },
                    var other => throw new FormatException($"--output must be text or json, not '{other}'"),
                },
                "--keep-running" => result with { KeepRunning = true },
                "--webhook-port" => result with { WebhookPort = Count(name, Value(), 0, 65535) },
                "--help" or "-h" => result with { Help = true },
                _ => throw new FormatException($"unknown option '{args[i]}' (see --help)"),
            };
        }

        return result;
    }

    private static int Count(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{name} must be a whole number from {min} to {max}, not '{value}'");
}
