using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Platform.DevicePlugin.Tests.TestSupport;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>A call the fake GCS received; <c>Request</c> holds its fields as the grpc-js side decoded them.</summary>
internal sealed record GcsRequest(string Method, long AtMs, JsonElement Request, string? Authorization)
{
    public string Field(string name) => Request.GetProperty(name).ToString();
}

/// <summary>A Ray node in the fake GCS's table; the id is hex (bytes on the wire).</summary>
internal sealed record GcsNode(string NodeId, string Ip, string Status = "RUNNING", long IdleDurationMs = 0);

/// <summary>
/// The fake Ray GCS of tests/tools/ray-gcs (grpc-js, not .NET) as a child process on 127.0.0.1, driven over
/// its stdin/stdout JSON-line protocol: the node table, the drain behaviour, token auth, down/up, and every
/// request it received, pushed into <see cref="Requests"/> as it arrives.
/// </summary>
internal sealed class FakeRayGcs : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderr = new();
    private int _nextId;

    private FakeRayGcs(Process process)
    {
        _process = process;
    }

    /// <summary>Every GetClusterStatus and DrainNode call, in arrival order.</summary>
    public Channel<GcsRequest> Requests { get; } = Channel.CreateUnbounded<GcsRequest>();

    public int Port { get; private set; }

    /// <summary>The GCS address as the agent dials it (<c>host:port</c>).</summary>
    public string Address => $"127.0.0.1:{Port}";

    public static string Directory => Path.Combine(RepositoryRoot.Find(), "tests", "tools", "ray-gcs");

    public static async Task<FakeRayGcs> StartAsync()
    {
        Assert.True(
            System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "@grpc", "grpc-js")),
            $"{Directory}/node_modules is missing: run scripts/test.sh (it runs 'npm ci' in tests/tools/*), or 'npm ci' in {Directory}.");
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(Directory, "gcs.js"));
        var gcs = new FakeRayGcs(new Process { StartInfo = info });
        gcs._process.OutputDataReceived += (_, e) => gcs.OnLine(e.Data);
        gcs._process.ErrorDataReceived += (_, e) =>
        {
            lock (gcs._stderr)
            {
                gcs._stderr.AppendLine(e.Data);
            }
        };
        gcs._process.Start();
        gcs._process.BeginOutputReadLine();
        gcs._process.BeginErrorReadLine();
        gcs.Port = await gcs.Within(gcs._ready.Task);
        return gcs;
    }

    public Task SetNodesAsync(params GcsNode[] nodes) =>
        SendAsync(new JsonObject
        {
            ["op"] = "nodes",
            ["nodes"] = new JsonArray([.. nodes.Select(n => (JsonNode)new JsonObject
            {
                ["node_id"] = n.NodeId,
                ["ip"] = n.Ip,
                ["status"] = n.Status,
                ["idle_duration_ms"] = n.IdleDurationMs,
            })]),
        });

    public Task SetStatusAsync(string nodeId, string status, long? idleDurationMs = null)
    {
        var command = new JsonObject { ["op"] = "status", ["node_id"] = nodeId, ["status"] = status };
        if (idleDurationMs is { } idle)
        {
            command["idle_duration_ms"] = idle;
        }

        return SendAsync(command);
    }

    /// <summary>mode: accept, reject, unauthenticated, error, hang; afterAccept: draining, idle, dead, none.</summary>
    public Task SetDrainAsync(string mode, string message = "", string afterAccept = "draining") =>
        SendAsync(new JsonObject { ["op"] = "drain", ["mode"] = mode, ["message"] = message, ["after_accept"] = afterAccept });

    /// <summary>Token auth on (calls without <c>authorization: Bearer token</c> fail UNAUTHENTICATED), or off with null.</summary>
    public Task SetTokenAsync(string? token) => SendAsync(new JsonObject { ["op"] = "auth", ["token"] = token });

    /// <summary>Stops listening: connections to <see cref="Address"/> are refused until <see cref="UpAsync"/>.</summary>
    public Task DownAsync() => SendAsync(new JsonObject { ["op"] = "down" });

    public Task UpAsync() => SendAsync(new JsonObject { ["op"] = "up" });

    /// <summary>The next request with <paramref name="method"/>, skipping others.</summary>
    public async Task<GcsRequest> NextAsync(string method)
    {
        while (true)
        {
            var request = await Within(Requests.Reader.ReadAsync().AsTask());
            if (request.Method == method)
            {
                return request;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Closing stdin ends the fake cleanly; a kill is the fallback.
            _process.StandardInput.Close();
            using var exit = new CancellationTokenSource(TestTimeouts.Default);
            try
            {
                await _process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private async Task SendAsync(JsonObject command)
    {
        var id = Interlocked.Increment(ref _nextId);
        command["id"] = id;
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        lock (_process)
        {
            _process.StandardInput.WriteLine(command.ToJsonString());
            _process.StandardInput.Flush();
        }

        var answer = await Within(reply.Task);
        if (answer.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"the fake GCS refused {command["op"]}: {error.GetString()}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            Requests.Writer.TryComplete();
            _ready.TrySetException(new InvalidOperationException("the fake GCS exited before listening"));
            return;
        }

        var message = JsonDocument.Parse(line).RootElement;
        switch (message.GetProperty("event").GetString())
        {
            case "ready":
                _ready.TrySetResult(message.GetProperty("port").GetInt32());
                break;
            case "request":
                var authorization = message.GetProperty("authorization");
                Requests.Writer.TryWrite(new GcsRequest(
                    message.GetProperty("method").GetString()!,
                    message.GetProperty("at_ms").GetInt64(),
                    message.GetProperty("request").Clone(),
                    authorization.ValueKind == JsonValueKind.String ? authorization.GetString() : null));
                break;
            case "reply" when message.GetProperty("id").ValueKind == JsonValueKind.Number
                && _pending.TryRemove(message.GetProperty("id").GetInt32(), out var pending):
                pending.TrySetResult(message.Clone());
                break;
            default:
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }

                break;
        }
    }

    private async Task<T> Within<T>(Task<T> task)
    {
        try
        {
            return await task.WaitAsync(TestTimeouts.Default);
        }
        catch (Exception ex) when (ex is TimeoutException or ChannelClosedException or InvalidOperationException)
        {
            lock (_stderr)
            {
                throw new InvalidOperationException($"the fake GCS did not answer; its stderr:\n{_stderr}", ex);
            }
        }
    }
}
