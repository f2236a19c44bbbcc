using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Platform.NodeAgent.Tests.FakeDriver;

/// <summary>
/// The agent (<c>Platform.NodeAgent.dll</c> from this test's output) in its own process, as the DaemonSet
/// runs it: for tests whose native libraries must not load into the test process.
/// </summary>
internal sealed partial class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AgentProcess(Process process)
    {
        _process = process;
    }

    public string Log => string.Join('\n', _lines);

    /// <summary>Runs a command of the agent (e.g. <c>discover</c>) to its end: exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(StartInfo(args, environment))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Starts the agent serving HTTP on a free loopback port; returns once it listens.</summary>
    public static async Task<(AgentProcess Agent, HttpClient Http)> StartAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = Process.Start(StartInfo(["--urls=http://127.0.0.1:0", .. args], environment))!;
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, line) => agent.Receive(line.Data);
        process.ErrorDataReceived += (_, line) => agent.Receive(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => agent._listening.TrySetException(
            new InvalidOperationException($"the agent exited ({process.ExitCode}) before listening:\n{agent.Log}")), TaskScheduler.Default);

        var address = await agent._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (agent, new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) });
    }

    /// <summary>SIGTERM, as the kubelet stops a pod; the exit code once the agent has stopped.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform.NodeAgent.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The test runner may itself be a pod (DECISIONS 5): the agent must not believe it runs in that cluster
        // unless a test says so through its own environment.
        info.Environment.Remove("KUBERNETES_SERVICE_HOST");
        info.Environment.Remove("KUBERNETES_SERVICE_PORT");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    [GeneratedRegex("Now listening on: (http://[^\"\\s]+)")]
    private static partial Regex ListeningOn();
}
