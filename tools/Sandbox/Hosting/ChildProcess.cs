using System.Collections.Concurrent;
using System.Diagnostics;

namespace Platform.Sandbox.Hosting;

/// <summary>
/// One of the sandbox's programs (webhook, node agent) in its own process: output kept for error messages, stopped
/// with SIGTERM so it removes its sockets, killed if it does not stop in time.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        Exited = process.WaitForExitAsync();
    }

    public string Name { get; }

    public int Id => _process.Id;

    public Task Exited { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the process wrote (stdout and stderr together).</summary>
    public string Output => string.Join('\n', _lines);

    public static ChildProcess Start(string name, string dll, IEnumerable<string> args)
    {
        var process = new Process { StartInfo = StartInfo(dll, args), EnableRaisingEvents = true };
        process.Start();
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, line) => child.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => child.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a command of a program to its end: exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string dll, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        await using var child = Start(Path.GetFileNameWithoutExtension(dll), dll, args);
        await child.Exited.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);

        // WaitForExitAsync returns once the output streams are drained too.
        return (child.ExitCode, child.Output);
    }

    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        NativeSignals.Terminate(_process.Id);
        try
        {
            await Exited.WaitAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await Exited.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > KeptLines && _lines.TryDequeue(out _))
        {
        }
    }

    private static ProcessStartInfo StartInfo(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // DECISIONS 5: with KUBERNETES_SERVICE_HOST set (a CI runner that is a pod) the agent would count as in a
        // cluster and refuse the simulated driver, and reach for the real API server instead of the sandbox's.
        info.Environment.Remove("KUBERNETES_SERVICE_HOST");
        info.Environment.Remove("KUBERNETES_SERVICE_PORT");
        info.Environment.Remove("KUBECONFIG");
        info.Environment.Remove("NODE_NAME");
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }
}
