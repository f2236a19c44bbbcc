using System.Diagnostics;
using Platform.Operations.Tests.Tools;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Operations.Tests.EndToEnd;

/// <summary>
/// A long-running child process (node agent, webhook, Prometheus) whose output lines are kept and can be
/// awaited: a line that matches completes the wait, the process exiting fails it. Killed with its children at dispose.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(string name, ProcessStartInfo start)
    {
        Name = name;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => OnExited();
    }

    public string Name { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ServiceProcess Start(string name, string file, IEnumerable<string> args, string directory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var service = new ServiceProcess(name, ChildProcess.StartInfo(file, directory, args, environment));
        service._process.Start();
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    /// <summary>The first output line (past or future) that matches, or an error naming the process and its output.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var match = pattern.Match(_output.ToString());
            if (match.Success)
            {
                return match;
            }

            _waiters.Add((pattern, found));
        }

        var first = await Task.WhenAny(found.Task, _exited.Task).WaitAsync(timeout).ConfigureAwait(false);
        if (first != found.Task)
        {
            throw new InvalidOperationException($"{Name} exited (code {_process.ExitCode}) before printing {pattern}:\n{Output}");
        }

        return await found.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(line).Append('\n');
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var match = _waiters[i].Pattern.Match(line);
                if (match.Success)
                {
                    _waiters[i].Found.TrySetResult(match);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private void OnExited()
    {
        // Output events may still be in flight when Exited is raised; the wait reports the output seen so far.
        _exited.TrySetResult();
    }
}
