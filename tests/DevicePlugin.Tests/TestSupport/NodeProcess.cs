using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Platform.DevicePlugin.Tests.TestSupport;

/// <summary>node running the peer script; stdout JSON lines come through a channel, stderr is kept for failures.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly System.Text.StringBuilder _stderr = new();

    private NodeProcess(Process process)
    {
        _process = process;
    }

    public static NodeProcess Start(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                node._lines.Writer.TryComplete();
            }
            else
            {
                node._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (node._stderr)
            {
                node._stderr.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public async Task<JsonElement> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.Timeout);
        try
        {
            var line = await _lines.Reader.ReadAsync(timeout.Token);
            return JsonDocument.Parse(line).RootElement;
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            lock (_stderr)
            {
                throw new InvalidOperationException($"the grpc-js peer printed nothing more; its stderr:\n{_stderr}", ex);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
