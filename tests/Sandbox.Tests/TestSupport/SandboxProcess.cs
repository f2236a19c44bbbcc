using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Platform.Sandbox.Tests.TestSupport;

/// <summary>
/// The real sandbox (<c>Platform.Sandbox.dll</c> from this test's output) in its own process, with its own temporary
/// directory (TMPDIR) so a test can check that nothing is left in it afterwards.
/// </summary>
internal sealed class SandboxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private int _closedStreams;

    private SandboxProcess(Process process, string tempDirectory)
    {
        _process = process;
        TempDirectory = tempDirectory;
    }

    public string TempDirectory { get; }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static SandboxProcess Start(params string[] args)
    {
        var temp = Directory.CreateTempSubdirectory("sandbox-test-").FullName;
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform.Sandbox.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TMPDIR"] = temp;
        var process = Process.Start(info)!;
        var sandbox = new SandboxProcess(process, temp);
        process.OutputDataReceived += (_, e) => sandbox.Receive(sandbox._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => sandbox.Receive(sandbox._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sandbox;
    }

    /// <summary>Runs the sandbox to its end: exit code, stdout, stderr, and what it left in its temporary directory.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Leftovers)> RunAsync(params string[] args)
    {
        await using var sandbox = Start(args);
        var code = await sandbox.WaitForExitAsync();
        return (code, sandbox.Stdout, sandbox.Stderr, sandbox.Leftovers());
    }

    /// <summary>Whatever is in the sandbox's temporary directory now (sockets, certificates, kubeconfig, directories).</summary>
    public IReadOnlyList<string> Leftovers() => [.. Directory.EnumerateFileSystemEntries(TempDirectory, "*", SearchOption.AllDirectories)];

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeouts.Run);
        return _process.ExitCode;
    }

    /// <summary>The first line (stdout or stderr) that matches, as the sandbox writes it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Run);
        await foreach (var line in _lines.Reader.ReadAllAsync(timeout.Token))
        {
            if (match(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"the sandbox ended without the expected line:\n{Stdout}\n{Stderr}");
    }

    /// <summary>SIGINT, as Ctrl-C in a terminal sends it.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(Timeouts.Default);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(Timeouts.Default);
        }

        _process.Dispose();
        Directory.Delete(TempDirectory, recursive: true);
    }

    private void Receive(StringBuilder target, string? line)
    {
        if (line is null)
        {
            // Both streams closed: the sandbox is gone.
            if (Interlocked.Increment(ref _closedStreams) == 2)
            {
                _lines.Writer.TryComplete();
            }

            return;
        }

        lock (target)
        {
            target.Append(line).Append('\n');
        }

        _lines.Writer.TryWrite(line);
    }

    /// <summary>True while a process with this id exists.</summary>
    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
}
